"""discussions

Revision ID: 0003_discussions
Revises: 0002_directory
Create Date: 2026-11-26 09:10:00

"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import forum.db_types  # noqa: F401

revision = "0003_discussions"
down_revision = "0002_directory"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
