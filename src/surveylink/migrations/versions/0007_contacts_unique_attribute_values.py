"""contacts: one contact per email and per userId, enforced by a unique index

Revision ID: 0007
Revises: 0001
Create Date: 2026-12-01 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "uq_contact_attributes_unique_value"

# Rows of unique keys (email, userId) carry the flag, except later duplicates that concurrent
# creates could store before this index existed: those keep their value, unenforced, so the
# index can be built without deleting anyone's data.
FLAG_UNIQUE_ROWS = """
UPDATE contact_attributes SET is_unique = TRUE
WHERE attribute_key_id IN (SELECT id FROM contact_attribute_keys WHERE is_unique)
AND NOT EXISTS (
    SELECT 1 FROM contact_attributes AS earlier
    WHERE earlier.attribute_key_id = contact_attributes.attribute_key_id
    AND earlier.value = contact_attributes.value
    AND (
        earlier.created_at < contact_attributes.created_at
        OR (
            earlier.created_at = contact_attributes.created_at
            AND earlier.id < contact_attributes.id
        )
    )
)
"""


def upgrade() -> None:
    with op.batch_alter_table("contact_attributes", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_unique", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(FLAG_UNIQUE_ROWS)
    with op.batch_alter_table("contact_attributes", schema=None) as batch_op:
        batch_op.create_index(
            INDEX,
            ["attribute_key_id", "value"],
            unique=True,
            sqlite_where=sa.text("is_unique"),
            postgresql_where=sa.text("is_unique"),
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_attributes", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("is_unique")
