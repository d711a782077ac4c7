"""campaign mail and link states

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-27 18:13:33.903250
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "contact_link_states",
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("invitation_status", sa.String(length=16), nullable=True),
        sa.Column("invitation_count", sa.Integer(), nullable=False),
        sa.Column("first_invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_invited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_status", sa.String(length=16), nullable=True),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_mailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_mail_error", sa.Text(), nullable=True),
        sa.Column("link_issue_count", sa.Integer(), nullable=False),
        sa.Column("link_first_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_last_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_contact_link_states_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_contact_link_states_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "contact_id", name=op.f("pk_contact_link_states")),
    )
    with op.batch_alter_table("contact_link_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contact_link_states_contact_id"), ["contact_id"], unique=False
        )

    op.create_table(
        "mail_campaigns",
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("expiration_days", sa.Float(), nullable=True),
        sa.Column("segment_id", sa.String(length=64), nullable=True),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_mail_campaigns_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_campaigns")),
    )
    with op.batch_alter_table("mail_campaigns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_campaigns_survey_id_created_at"),
            ["survey_id", "created_at"],
            unique=False,
        )

    op.create_table(
        "mail_messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("campaign_id", sa.String(length=64), nullable=False),
        sa.Column("survey_id", sa.String(length=64), nullable=False),
        sa.Column("contact_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["mail_campaigns.id"],
            name=op.f("fk_mail_messages_campaign_id_mail_campaigns"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_mail_messages_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_mail_messages_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_messages")),
        sa.UniqueConstraint(
            "campaign_id", "contact_id", name=op.f("uq_mail_messages_campaign_id_contact_id")
        ),
    )
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_mail_messages_status_next_attempt_at"),
            ["status", "next_attempt_at"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_mail_messages_survey_id_contact_id"),
            ["survey_id", "contact_id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_mail_messages_pending",
            ["survey_id", "contact_id", "kind"],
            unique=True,
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("mail_messages", schema=None) as batch_op:
        batch_op.drop_index("uq_mail_messages_pending")
        batch_op.drop_index(batch_op.f("ix_mail_messages_survey_id_contact_id"))
        batch_op.drop_index(batch_op.f("ix_mail_messages_status_next_attempt_at"))

    op.drop_table("mail_messages")
    with op.batch_alter_table("mail_campaigns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_campaigns_survey_id_created_at"))

    op.drop_table("mail_campaigns")
    with op.batch_alter_table("contact_link_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_link_states_contact_id"))

    op.drop_table("contact_link_states")
