from typing import Annotated

from fastapi import APIRouter, Depends, Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.health import service
from surveylink.health.schemas import HealthStatus, Status


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions
    return sessions


def get_redis(request: Request) -> Redis | None:
    redis: Redis | None = request.app.state.redis
    return redis


# No key and no rate limit, as upstream: load balancers poll it.
router = APIRouter(tags=["Health"])


@router.get(
    "/health",
    operation_id="healthCheck",
    summary="Health Check",
    openapi_extra={"security": []},
    response_description="Health check completed successfully. Check individual dependency "
    "status in response data.",
    responses=error_responses(503),
)
async def health_check(
    sessions: Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)],
    redis: Annotated[Redis | None, Depends(get_redis)],
) -> Data[HealthStatus]:
    """Check the health status of critical application dependencies including database and
    cache."""
    return Data(data=await service.check_health(sessions, redis))


# Upstream's non-API liveness probe (apps/web/app/health/route.ts): no checks at all.
liveness_router = APIRouter(tags=["Health"])


@liveness_router.get("/health", operation_id="liveness", include_in_schema=False)
async def liveness() -> Status:
    return Status(status="ok")
