"""directory of competent authorities

Revision ID: 0002_directory
Revises: 0001_foundation
Create Date: 2026-11-26 09:10:00

Creates the directory tables and seeds the 193 UN Member States (members-only until a
focal point or moderator opens them).
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import forum.db_types  # noqa: F401

revision = "0002_directory"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade():
    states = op.create_table(
        "directory_states",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("alpha3", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("visibility", sa.String(length=10), nullable=False),
        sa.Column("last_updated_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("last_verified_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("mla_requirements", sa.Text(), nullable=False),
        sa.Column("extradition_requirements", sa.Text(), nullable=False),
        sa.Column("convention_basis_mla", sa.String(length=3), nullable=False),
        sa.Column("convention_basis_extradition", sa.String(length=3), nullable=False),
        sa.Column("law_links", sa.Text(), nullable=False),
        sa.Column("treaties_json", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_directory_states")),
    )
    with op.batch_alter_table("directory_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_states_visibility"), ["visibility"], unique=False
        )
    op.create_table(
        "directory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("designations", sa.Text(), nullable=False),
        sa.Column("designation_other", sa.String(length=200), nullable=False),
        sa.Column("postal_address", sa.Text(), nullable=False),
        sa.Column("phones", sa.Text(), nullable=False),
        sa.Column("fax", sa.String(length=100), nullable=False),
        sa.Column("emails", sa.Text(), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column("office_hours", sa.String(length=200), nullable=False),
        sa.Column("time_zone", sa.String(length=60), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("channels", sa.Text(), nullable=False),
        sa.Column("channel_other", sa.String(length=200), nullable=False),
        sa.Column("urgent_procedure", sa.Text(), nullable=False),
        sa.Column("contact_24_7", sa.String(length=200), nullable=False),
        sa.Column("e_signature_accepted", sa.String(length=3), nullable=False),
        sa.Column("encryption_required", sa.String(length=3), nullable=False),
        sa.Column("originals_required", sa.String(length=3), nullable=False),
        sa.Column("transmission_notes", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("last_updated_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("last_verified_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.Column("deleted_at", forum.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["state_code"],
            ["directory_states.code"],
            name=op.f("fk_directory_entries_state_code_directory_states"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_entries")),
    )
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_entries_state_code"), ["state_code"], unique=False
        )
    op.create_table(
        "directory_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("sent_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("recipients", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["state_code"],
            ["directory_states.code"],
            name=op.f("fk_directory_reminders_state_code_directory_states"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_reminders")),
    )
    with op.batch_alter_table("directory_reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_reminders_state_code"), ["state_code"], unique=False
        )
    op.create_table(
        "directory_resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_directory_resources_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_resources")),
    )
    op.create_table(
        "directory_contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("languages", sa.Text(), nullable=False),
        sa.Column("is_deputy", sa.Boolean(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_directory_contacts_entry_id_directory_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_directory_contacts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_contacts")),
    )
    with op.batch_alter_table("directory_contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_contacts_entry_id"), ["entry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_contacts_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "directory_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_code", sa.String(length=2), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("created_at", forum.db_types.UTCDateTime(), nullable=False),
        sa.Column("snapshot_json", sa.Text(), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.Column("restored_from_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_directory_revisions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["directory_entries.id"],
            name=op.f("fk_directory_revisions_entry_id_directory_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["state_code"],
            ["directory_states.code"],
            name=op.f("fk_directory_revisions_state_code_directory_states"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_revisions")),
    )
    with op.batch_alter_table("directory_revisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_revisions_entry_id"), ["entry_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_revisions_state_code"), ["state_code"], unique=False
        )

    # Data: the 193 Member States, frozen here so later edits to the list do not rewrite history.
    from forum.directory.un_members import state_rows

    op.bulk_insert(
        states,
        [
            dict(
                row,
                visibility="members",
                mla_requirements="",
                extradition_requirements="",
                convention_basis_mla="",
                convention_basis_extradition="",
                law_links="",
                treaties_json="[]",
                is_demo=False,
            )
            for row in state_rows()
        ],
    )


def downgrade():
    with op.batch_alter_table("directory_revisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_revisions_state_code"))
        batch_op.drop_index(batch_op.f("ix_directory_revisions_entry_id"))
    op.drop_table("directory_revisions")
    with op.batch_alter_table("directory_contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_contacts_user_id"))
        batch_op.drop_index(batch_op.f("ix_directory_contacts_entry_id"))
    op.drop_table("directory_contacts")
    op.drop_table("directory_resources")
    with op.batch_alter_table("directory_reminders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_reminders_state_code"))
    op.drop_table("directory_reminders")
    with op.batch_alter_table("directory_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_entries_state_code"))
    op.drop_table("directory_entries")
    with op.batch_alter_table("directory_states", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_states_visibility"))
    op.drop_table("directory_states")
