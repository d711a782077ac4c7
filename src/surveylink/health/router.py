from fastapi import APIRouter

from surveylink.core.context import ContextDep
from surveylink.core.envelopes import Data
from surveylink.core.errors import error_responses
from surveylink.core.routing import API_V2, ApiRoute
from surveylink.health import service
from surveylink.health.schemas import HealthStatus, Status

# No key and no rate limit, as upstream: load balancers poll it.
router = APIRouter(prefix=API_V2, tags=["Health"], route_class=ApiRoute)


@router.get(
    "/health",
    operation_id="healthCheck",
    summary="Health Check",
    openapi_extra={"security": []},
    response_description="Health check completed successfully. Check individual dependency "
    "status in response data.",
    responses=error_responses(503),
)
async def health_check(context: ContextDep) -> Data[HealthStatus]:
    """Check the health status of critical application dependencies including database and
    cache."""
    return Data(data=await service.check_health(context.sessions, context.redis))


# Upstream's non-API liveness probe (apps/web/app/health/route.ts): no checks at all.
liveness_router = APIRouter(tags=["Health"], route_class=ApiRoute)


@liveness_router.get("/health", operation_id="liveness", include_in_schema=False)
async def liveness() -> Status:
    return Status(status="ok")
