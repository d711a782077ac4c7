"""Dependency checks behind `/api/v2/health`, each bounded in time."""

import asyncio
import logging

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.core.clock import utcnow
from surveylink.core.db import transaction
from surveylink.core.errors import Unavailable
from surveylink.health import repository
from surveylink.health.schemas import HealthStatus

logger = logging.getLogger("surveylink")

DATABASE_TIMEOUT = 2.0
CACHE_TIMEOUT = 1.0  # upstream's PING deadline
UNREACHABLE = "Database is unreachable"
READ_ONLY = "Database cannot be written"


async def check_health(
    sessions: async_sessionmaker[AsyncSession], redis: Redis | None
) -> HealthStatus:
    """Both checks at once; 503 when the database is unreachable or cannot be written
    (upstream answers 200 with `main_database: false`)."""
    problem, cache_database = await asyncio.gather(_database_problem(sessions), _cache_ok(redis))
    if problem is not None:
        raise Unavailable.on("main_database", problem)
    return HealthStatus(main_database=True, cache_database=cache_database)


async def _database_problem(sessions: async_sessionmaker[AsyncSession]) -> str | None:
    """None when the database answers a read and takes a write, else what fails. Any failure
    counts; the reason goes to the log."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), transaction(sessions) as session:
            await repository.ping(session)
    except Exception:
        logger.warning("health: database read check failed", exc_info=True)
        return UNREACHABLE
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT), transaction(sessions, write=True) as session:
            await repository.write_probe(session, utcnow())
    except Exception:
        logger.warning("health: database write check failed", exc_info=True)
        return READ_ONLY
    return None


async def _cache_ok(redis: Redis | None) -> bool:
    if redis is None:  # no REDIS_URL: upstream's "client not ready"
        return False
    try:
        async with asyncio.timeout(CACHE_TIMEOUT):
            return bool(await redis.ping())
    except Exception:
        logger.warning("health: cache check failed", exc_info=True)
        return False
