"""Dependency checks behind `/api/v2/health`, each bounded in time."""

import asyncio
import logging

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from surveylink.core.errors import Unavailable
from surveylink.health.schemas import HealthStatus

logger = logging.getLogger("surveylink")

DATABASE_TIMEOUT = 2.0
CACHE_TIMEOUT = 1.0  # upstream's PING deadline


async def check_health(engine: AsyncEngine, redis: Redis | None) -> HealthStatus:
    """Both checks at once; 503 when the database is unreachable (upstream answers 200)."""
    main_database, cache_database = await asyncio.gather(_database_ok(engine), _cache_ok(redis))
    if not main_database:
        raise Unavailable.on("main_database", "Database is unreachable")
    return HealthStatus(main_database=main_database, cache_database=cache_database)


async def _database_ok(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not reachable"; the reason goes to the log
        logger.warning("health: database check failed", exc_info=True)
        return False
    return True


async def _cache_ok(redis: Redis | None) -> bool:
    if redis is None:  # no REDIS_URL: upstream's "client not ready"
        return False
    try:
        async with asyncio.timeout(CACHE_TIMEOUT):
            return bool(await redis.ping())
    except Exception:
        logger.warning("health: cache check failed", exc_info=True)
        return False
