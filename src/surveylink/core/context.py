"""`AppContext`: everything a request may use beyond its own input, made once in `create_app`.

One frozen object instead of attributes scattered on `app.state`: a route names it
(`context: ContextDep`) and reads what it needs; nothing else is looked up per request.
"""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from surveylink.auth.service import KeyCache
from surveylink.core.config import Settings
from surveylink.core.ratelimit import RateLimiter
from surveylink.core.reader import Reader
from surveylink.links.service import LinkContext
from surveylink.mail.smtp import SmtpConfig
from surveylink.storage.backends import Storage
from surveylink.webhooks.secrets import SecretBox


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    reader: Reader  # point reads off the session path (core/reader.py)
    links: LinkContext  # what signing a personal link needs
    secret_box: SecretBox  # seals webhook secrets
    key_cache: KeyCache  # keys that authenticated in the last second
    limiter: RateLimiter | None  # None when RATE_LIMITING_DISABLED
    redis: Redis | None
    smtp: SmtpConfig | None  # None when no SMTP server is configured
    storage: Storage  # uploaded files

    def install(self, app: Starlette) -> None:
        app.state.context = self

    async def close(self) -> None:
        """Closes the database and Redis connections (at shutdown)."""
        self.reader.dispose()
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def app_context(app: Starlette) -> AppContext:
    """The context `create_app` installed on `app`."""
    context: AppContext = app.state.context
    return context


async def get_context(request: Request) -> AppContext:
    return app_context(request.app)


ContextDep = Annotated[AppContext, Depends(get_context)]
