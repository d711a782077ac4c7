"""The ASGI application: settings, database, routers, error handlers, headers."""

import gc
import os
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig

import surveylink.models  # noqa: F401 - every table registered before the first flush
from surveylink.action_classes.router import router as action_classes_router
from surveylink.attribute_keys.router import router as attribute_keys_router
from surveylink.attribute_keys.router_v1 import router as attribute_keys_v1_router
from surveylink.auth import service as auth_service
from surveylink.auth.router import router as auth_router
from surveylink.auth.router_v1 import router as auth_v1_router
from surveylink.campaigns.issuance import IssuanceLog
from surveylink.campaigns.router import router as campaigns_router
from surveylink.contacts.router import router as contacts_router
from surveylink.contacts.router_v1 import router as contacts_v1_router
from surveylink.core import handlers, openapi
from surveylink.core.config import ConfigError, Settings
from surveylink.core.context import AppContext, app_context
from surveylink.core.db import make_engine, make_sessionmaker
from surveylink.core.limits import RequestLimits
from surveylink.core.middleware import CatchUnexpected, HeadersMiddleware
from surveylink.core.paths import UpstreamPaths
from surveylink.core.ratelimit import RateLimiter, make_redis
from surveylink.core.reader import Reader
from surveylink.core.retention import Pruner
from surveylink.core.routing import RouteTable, routes_of
from surveylink.health.router import liveness_router
from surveylink.health.router import router as health_router
from surveylink.links.router import router as links_router
from surveylink.links.service import LinkContext
from surveylink.links.tokens import LinkKeys
from surveylink.mail.smtp import SmtpConfig
from surveylink.mail.worker import LinkIssuer, MailPolicy, MailWorker
from surveylink.respondent import pages as respondent_pages
from surveylink.respondent.router import router as respondent_router
from surveylink.responses.router import router as responses_router
from surveylink.responses.router_v1 import router as responses_v1_router
from surveylink.retention import retentions
from surveylink.segments.router import router as segments_router
from surveylink.segments.router import segments_router as segment_management_router
from surveylink.shortlinks.router import api_router as qr_router
from surveylink.shortlinks.router import router as short_links_router
from surveylink.storage.backends import make_storage
from surveylink.storage.router import router as storage_router
from surveylink.surveys.router import router as surveys_router
from surveylink.webhooks.delivery import DeliveryWorker, Policy
from surveylink.webhooks.router import router as webhooks_router
from surveylink.webhooks.router_v1 import router as webhooks_v1_router
from surveylink.webhooks.secrets import SecretBox

# FastAPI's OpenTelemetry hooks look for configured providers on every request (~15 µs): they
# are kept only when the environment configures OpenTelemetry.
NO_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}


def _telemetry_configured() -> bool:
    return any(name.startswith(("OTEL_", "FASTAPI_OTEL_")) for name in os.environ)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or Settings()).resolved()
    try:
        link_keys = LinkKeys.from_setting(
            settings.encryption_key.get_secret_value(), settings.previous_keys
        )
    except ValueError as error:
        raise ConfigError(str(error)) from None
    engine = make_engine(settings.sqlalchemy_url)
    reader = Reader(settings.sqlalchemy_url, engine)
    sessions = make_sessionmaker(engine)
    secret_box = SecretBox.from_setting(
        settings.encryption_key.get_secret_value(), settings.previous_keys
    )
    smtp = SmtpConfig.from_settings(settings)
    issuance = IssuanceLog(sessions)
    redis = make_redis(settings.redis_url)
    limiter = None
    if not settings.rate_limiting_disabled:
        limiter = RateLimiter(settings.rate_limit_per_minute, redis)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await stack.enter_async_context(issuance.running())
            if settings.run_worker:
                worker = DeliveryWorker(sessions, secret_box, Policy.from_settings(settings))
                await stack.enter_async_context(worker.running())
                if smtp is not None:
                    mailer = MailWorker(
                        sessions,
                        smtp,
                        LinkIssuer(link_keys, settings.link_base),
                        MailPolicy.from_settings(settings),
                    )
                    await stack.enter_async_context(mailer.running())
                pruner = Pruner(sessions, retentions(settings))
                await stack.enter_async_context(pruner.running())
            # Everything alive once started (modules, routes, schemas, mappings: ~190,000
            # objects) lives as long as the process: frozen, the collector's full passes skip
            # it. Under load they came every second or two and stalled the event loop for
            # 100-250 ms each (requests awaiting PostgreSQL keep their objects alive long
            # enough to reach the oldest generation); now they take ~5 ms. Unfrozen at
            # shutdown, so a process that makes apps again (the tests) still collects them.
            gc.collect()
            gc.freeze()
            stack.callback(gc.unfreeze)
            yield
        await auth_service.drain()
        await app_context(app).close()

    app = FastAPI(
        title="Formbricks API",
        description="Manage Formbricks resources programmatically.",
        version="2.0.0",
        lifespan=lifespan,
        openapi_url="/api/v2/openapi.json",
        docs_url="/api/v2/docs",
        redoc_url=None,
        redirect_slashes=False,  # core/paths.py redirects as upstream, never from the Host header
        telemetry=None if _telemetry_configured() else NO_TELEMETRY,
    )
    AppContext(
        settings=settings,
        engine=engine,
        sessions=sessions,
        reader=reader,
        links=LinkContext(reader, link_keys, settings.link_base, issuance),
        secret_box=secret_box,
        key_cache=auth_service.KeyCache(settings.auth_cache_seconds),
        limiter=limiter,
        redis=redis,
        smtp=smtp,
        storage=make_storage(settings),
    ).install(app)
    routers = (
        # v2 (/api/v2)
        links_router,
        health_router,
        auth_router,
        segments_router,
        segment_management_router,
        qr_router,
        contacts_router,
        attribute_keys_router,
        responses_router,
        webhooks_router,
        campaigns_router,
        # v1 (/api/v1)
        auth_v1_router,
        surveys_router,
        responses_v1_router,
        action_classes_router,
        webhooks_v1_router,
        contacts_v1_router,
        attribute_keys_v1_router,
        # pages and files
        liveness_router,
        respondent_router,
        storage_router,
        short_links_router,
    )
    # One table of every route (the document's and docs' ones FastAPI made first included),
    # matched by the start of its path (core/routing.py).
    own = [route for router in routers for route in router.routes]
    app.router.routes[:] = [RouteTable([*app.router.routes, *own])]
    app.mount(
        respondent_pages.STATIC_PATH,
        StaticFiles(directory=respondent_pages.STATIC_DIR),
        name="respondent-static",
    )
    handlers.install(app)
    openapi.install(app)
    app.add_middleware(
        UpstreamPaths, routes=routes_of(app.routes)
    )  # inside the headers: redirects get them
    # The last added runs first: headers, then unexpected errors, then the request's limits.
    app.add_middleware(RequestLimits)
    app.add_middleware(CatchUnexpected)
    app.add_middleware(HeadersMiddleware)
    return app
