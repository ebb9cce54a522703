"""directory: documents in the resources library (a file from the attachment store)

Revision ID: 0006_directory_documents
Revises: 0005_chat
Create Date: 2026-11-27 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_directory_documents"
down_revision = "0005_chat"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("directory_resources", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attachment_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_directory_resources_attachment_id"), ["attachment_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_directory_resources_attachment_id_attachments"),
            "attachments",
            ["attachment_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("directory_resources", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_directory_resources_attachment_id_attachments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_directory_resources_attachment_id"))
        batch_op.drop_column("attachment_id")
