"""membership and moderation

Revision ID: 0004_moderation
Revises: 0003_discussions
Create Date: 2026-11-26 09:10:00

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import forum.db_types  # noqa: F401

revision = "0004_moderation"
down_revision = "0003_discussions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "member_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("read_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_member_notices_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_notices_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_notices")),
    )
    with op.batch_alter_table("member_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_notices_user_id"), ["user_id"], unique=False)

    op.create_table(
        "member_suspensions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("until", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("lifted_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_member_suspensions_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["users.id"], name=op.f("fk_member_suspensions_lifted_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_member_suspensions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_suspensions")),
    )
    with op.batch_alter_table("member_suspensions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_member_suspensions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "membership_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("authority_name", sa.String(length=200), nullable=False),
        sa.Column("function", sa.String(length=200), nullable=False),
        sa.Column("motivation", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("confirm_token_hash", sa.String(length=64), nullable=True),
        sa.Column("confirm_expires_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("confirmed_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("vouched_by_id", sa.Integer(), nullable=True),
        sa.Column("vouched_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_membership_applications_decided_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["vouched_by_id"],
            ["users.id"],
            name=op.f("fk_membership_applications_vouched_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_applications")),
        sa.UniqueConstraint(
            "confirm_token_hash", name=op.f("uq_membership_applications_confirm_token_hash")
        ),
    )
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_membership_applications_email"), ["email"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_applications_state_code"), ["state_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_membership_applications_status"), ["status"], unique=False
        )

    op.create_table(
        "state_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("requested_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("completed_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("departed_ids", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["completed_by_id"], ["users.id"], name=op.f("fk_state_reviews_completed_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_reviews")),
    )
    with op.batch_alter_table("state_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_state_reviews_state_code"), ["state_code"], unique=False
        )


def downgrade():
    with op.batch_alter_table("state_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_state_reviews_state_code"))

    op.drop_table("state_reviews")
    with op.batch_alter_table("membership_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_membership_applications_status"))
        batch_op.drop_index(batch_op.f("ix_membership_applications_state_code"))
        batch_op.drop_index(batch_op.f("ix_membership_applications_email"))

    op.drop_table("membership_applications")
    with op.batch_alter_table("member_suspensions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_suspensions_user_id"))

    op.drop_table("member_suspensions")
    with op.batch_alter_table("member_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_notices_user_id"))

    op.drop_table("member_notices")
