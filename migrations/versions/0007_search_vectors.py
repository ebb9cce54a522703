"""search: the words of the PostgreSQL full-text index, for prefix completion

Revision ID: 0007_search_vectors
Revises: 0006_directory_documents
Create Date: 2026-11-26 12:00:00

The last word of a search is a prefix ("confisc" finds "confiscation"). A GIN index answers a
prefix by collecting every row of every matching word before it can combine them with the
other words, which costs tens of milliseconds for a common word at a million posts; the same
query over the exact words the prefix stands for is a few milliseconds. ``post_search_words``
lists the words of ``post_search`` (kept in step by forum/discussions/search.py), so a prefix
becomes those words. Like ``post_search`` it lives outside the models. SQLite needs nothing:
FTS5 lists its words only by counting their rows (fts5vocab), which costs as much as the
prefix.
"""

from alembic import op

revision = "0007_search_vectors"
down_revision = "0006_directory_documents"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute('CREATE TABLE post_search_words (word text COLLATE "C" PRIMARY KEY)')
    op.execute(
        "INSERT INTO post_search_words (word)"
        " SELECT DISTINCT unnest(tsvector_to_array(document)) FROM post_search"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE post_search_words")
