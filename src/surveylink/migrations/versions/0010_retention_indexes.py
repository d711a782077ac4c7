"""retention indexes: find rows done with before a cutoff without a table scan

Revision ID: 0010
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = [
    ("webhook_events", ["status", "updated_at"]),
    ("mail_messages", ["status", "updated_at"]),
    ("mail_campaigns", ["created_at"]),
    ("short_links", ["expires_at"]),
]


def upgrade() -> None:
    for table, columns in INDEXES:
        op.create_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table, columns, unique=False)


def downgrade() -> None:
    for table, columns in reversed(INDEXES):
        op.drop_index(op.f(f"ix_{table}_{'_'.join(columns)}"), table_name=table)
