from pydantic import BaseModel, Field


class HealthStatus(BaseModel):
    """Upstream's snake_case names, inside the `data` envelope as upstream's code sends them."""

    main_database: bool = Field(
        description="Main database connection status - true if database is reachable and running"
    )
    cache_database: bool = Field(
        description="Cache database connection status - true if cache database is reachable "
        "and running"
    )


class Status(BaseModel):
    status: str
