"""search: the words of the full-text index, for prefix completion

Revision ID: 0007_search_vectors
Revises: 0006_directory_documents
Create Date: 2026-11-26 12:00:00

The last word of a search is a prefix ("confisc" finds "confiscation"). A GIN index answers a
prefix by collecting every row of every matching word before it can combine them with the
other words, which costs tens of milliseconds for a common word at a million posts; the same
query over the exact words the prefix stands for is a few milliseconds; SQLite's FTS5 is
alike. ``post_search_words`` lists the words of ``post_search``, so a prefix becomes those
words: on PostgreSQL a table kept in step by forum/discussions/search.py, on SQLite an
fts5vocab table (FTS5's own view of its index). Like ``post_search`` it lives outside the
models.
"""

from alembic import op

revision = "0007_search_vectors"
down_revision = "0006_directory_documents"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.execute("CREATE VIRTUAL TABLE post_search_words USING fts5vocab(post_search, 'row')")
        return
    op.execute('CREATE TABLE post_search_words (word text COLLATE "C" PRIMARY KEY)')
    op.execute(
        "INSERT INTO post_search_words (word)"
        " SELECT DISTINCT unnest(tsvector_to_array(document)) FROM post_search"
    )


def downgrade():
    op.execute("DROP TABLE post_search_words")
