"""action classes (v1 management API)

Revision ID: 0002
Revises: 0009
Create Date: 2026-11-27 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0009"  # after main's head at the merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_classes",
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=True),
        sa.Column(
            "no_code_config",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("environment_id", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["environment_id"],
            ["environments.id"],
            name=op.f("fk_action_classes_environment_id_environments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_classes")),
        sa.UniqueConstraint(
            "environment_id", "key", name=op.f("uq_action_classes_environment_id_key")
        ),
        sa.UniqueConstraint(
            "environment_id", "name", name=op.f("uq_action_classes_environment_id_name")
        ),
    )
    with op.batch_alter_table("action_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_classes_environment_id_created_at"),
            ["environment_id", "created_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("action_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_classes_environment_id_created_at"))

    op.drop_table("action_classes")
