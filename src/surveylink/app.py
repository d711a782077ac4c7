"""The ASGI application: settings, database, routers, error handlers, headers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import surveylink.models  # noqa: F401 - every table registered before the first flush
from surveylink.auth import service as auth_service
from surveylink.auth.router import router as auth_router
from surveylink.contacts.router import router as contacts_router
from surveylink.core import errors, openapi
from surveylink.core.config import ConfigError, Settings
from surveylink.core.db import make_engine, make_sessionmaker
from surveylink.core.middleware import HeadersMiddleware
from surveylink.core.ratelimit import RateLimiter, make_redis
from surveylink.health.router import liveness_router
from surveylink.health.router import router as health_router
from surveylink.links.router import router as links_router
from surveylink.links.tokens import LinkKeys
from surveylink.responses.router import router as responses_router
from surveylink.segments.router import router as segments_router
from surveylink.surveys.router import router as surveys_router


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or Settings()).resolved()
    try:
        link_keys = LinkKeys.from_setting(settings.encryption_key.get_secret_value())
    except ValueError as error:
        raise ConfigError(str(error)) from None
    engine = make_engine(settings.sqlalchemy_url)
    redis = make_redis(settings.redis_url)
    limiter = None
    if not settings.rate_limiting_disabled:
        limiter = RateLimiter(settings.rate_limit_per_minute, redis)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await auth_service.drain()
        await engine.dispose()
        if redis is not None:
            await redis.aclose()

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
    app.state.sessions = make_sessionmaker(engine)
    app.state.link_keys = link_keys
    app.state.redis = redis
    app.state.rate_limiter = limiter
    v2_routers = (
        health_router,
        auth_router,
        links_router,
        segments_router,
        contacts_router,
        responses_router,
    )
    for router in v2_routers:
        app.include_router(router, prefix="/api/v2")
    app.include_router(surveys_router, prefix="/api/v1")
    app.include_router(liveness_router)
    errors.install(app)
    openapi.install(app)
    app.add_middleware(HeadersMiddleware)
    return app
