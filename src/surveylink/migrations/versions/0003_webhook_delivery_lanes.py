"""webhook delivery lanes: per-webhook lease and pause, events ordered by seq

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-27 18:30:00.000000

Plain ALTERs only (no batch copy on SQLite): recreating `webhook_events` there would cascade
the delete of the old table into `webhook_deliveries`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Existing events keep their order: their staging time, in nanoseconds (to the millisecond).
_SEQ_FROM_CREATED_AT = {
    "sqlite": "UPDATE webhook_events SET seq = "
    "CAST((julianday(created_at) - 2440587.5) * 86400000 AS INTEGER) * 1000000",
    "postgresql": "UPDATE webhook_events SET seq = "
    "CAST(EXTRACT(EPOCH FROM created_at) * 1000 AS BIGINT) * 1000000",
}


def upgrade() -> None:
    op.add_column("webhooks", sa.Column("lease_token", sa.String(length=32), nullable=True))
    op.add_column("webhooks", sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("webhooks", sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "webhook_events", sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0")
    )
    dialect = op.get_bind().dialect.name
    op.execute(_SEQ_FROM_CREATED_AT[dialect])
    if dialect != "sqlite":  # SQLite cannot drop a default without copying the table
        op.alter_column("webhook_events", "seq", server_default=None)
    op.drop_index("ix_webhook_events_status_next_attempt_at", table_name="webhook_events")
    op.drop_index("ix_webhook_events_webhook_id", table_name="webhook_events")
    op.create_index(
        "ix_webhook_events_webhook_id_status_seq",
        "webhook_events",
        ["webhook_id", "status", "seq"],
    )
    # The lane's lease replaces the per-event lock.
    op.drop_column("webhook_events", "locked_until")


def downgrade() -> None:
    op.add_column(
        "webhook_events",
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute("UPDATE webhook_events SET status = 'pending' WHERE status = 'delivering'")
    op.drop_index("ix_webhook_events_webhook_id_status_seq", table_name="webhook_events")
    op.create_index("ix_webhook_events_webhook_id", "webhook_events", ["webhook_id"])
    op.create_index(
        "ix_webhook_events_status_next_attempt_at",
        "webhook_events",
        ["status", "next_attempt_at"],
    )
    op.drop_column("webhook_events", "seq")
    op.drop_column("webhooks", "paused_until")
    op.drop_column("webhooks", "leased_until")
    op.drop_column("webhooks", "lease_token")
