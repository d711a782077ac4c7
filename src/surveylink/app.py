"""The ASGI application: settings, database, routers, error handlers, headers."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI

import surveylink.models  # noqa: F401 - every table registered before the first flush
from surveylink.auth import service as auth_service
from surveylink.contacts.router import router as contacts_router
from surveylink.core import errors
from surveylink.core.config import ConfigError, Settings
from surveylink.core.db import make_engine, make_sessionmaker
from surveylink.core.middleware import HeadersMiddleware
from surveylink.links.router import router as links_router
from surveylink.links.tokens import LinkKeys
from surveylink.responses.router import router as responses_router
from surveylink.surveys.router import router as surveys_router
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.router import router as webhooks_router
from surveylink.webhooks.secrets import SecretBox


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or Settings()).resolved()
    try:
        link_keys = LinkKeys.from_setting(settings.encryption_key.get_secret_value())
    except ValueError as error:
        raise ConfigError(str(error)) from None
    engine = make_engine(settings.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    secret_box = SecretBox.from_setting(settings.encryption_key.get_secret_value())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if settings.run_worker:
                worker = DeliveryWorker(sessions, secret_box, Policy.from_settings(settings))
                await stack.enter_async_context(worker.running())
            yield
        await auth_service.drain()
        await engine.dispose()

    app = FastAPI(
        title="Formbricks API",
        description="Manage Formbricks resources programmatically.",
        version="2.0.0",
        lifespan=lifespan,
        openapi_url="/api/v2/openapi.json",
        docs_url="/api/v2/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.link_keys = link_keys
    app.state.secret_box = secret_box
    for router in (links_router, contacts_router, responses_router, webhooks_router):
        app.include_router(router, prefix="/api/v2")
    app.include_router(surveys_router, prefix="/api/v1")
    errors.install(app)
    app.add_middleware(HeadersMiddleware)
    return app
