"""discussions: categories, spaces, threads, posts, attachments, flags, notifications, search

Revision ID: 0003_discussions
Revises: 0002_directory
Create Date: 2026-11-26 09:10:00

The full-text index ``post_search`` lives outside the models (it is an FTS5 virtual table on
SQLite and a tsvector table with a GIN index on PostgreSQL); forum/discussions/search.py
keeps it in step and the migration environment leaves it out of autogenerate.
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

import forum.db_types  # noqa: F401

revision = "0003_discussions"
down_revision = "0002_directory"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    op.create_table('notification_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('email_mode', sa.String(length=20), nullable=False),
    sa.Column('last_digest_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_settings_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_notification_settings'))
    )
    op.create_table('spaces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('ends_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_spaces_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spaces'))
    )
    op.create_table('space_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_space_members_added_by_id_users')),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_space_members_space_id_spaces')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_space_members_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_space_members')),
    sa.UniqueConstraint('space_id', 'user_id', name=op.f('uq_space_members_space_id'))
    )
    with op.batch_alter_table('space_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_space_members_space_id'), ['space_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_space_members_user_id'), ['user_id'], unique=False)

    op.create_table('threads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('space_id', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('last_post_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('post_count', sa.Integer(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('locked', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_threads_author_id_users')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_threads_category_id_categories')),
    sa.ForeignKeyConstraint(['space_id'], ['spaces.id'], name=op.f('fk_threads_space_id_spaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_threads'))
    )
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.create_index('ix_threads_category_activity', ['category_id', 'pinned', 'last_post_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_threads_space_id'), ['space_id'], unique=False)

    op.create_table('case_examples',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('cooperation_type', sa.String(length=20), nullable=False),
    sa.Column('requesting_state', sa.String(length=2), nullable=True),
    sa.Column('requested_state', sa.String(length=2), nullable=True),
    sa.Column('legal_basis', sa.String(length=20), nullable=False),
    sa.Column('legal_basis_detail', sa.String(length=200), nullable=False),
    sa.Column('offence', sa.String(length=200), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=True),
    sa.Column('lessons_learned', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_case_examples_thread_id_threads')),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_case_examples'))
    )
    with op.batch_alter_table('case_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_examples_cooperation_type'), ['cooperation_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_examples_legal_basis'), ['legal_basis'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_examples_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_examples_requested_state'), ['requested_state'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_examples_requesting_state'), ['requesting_state'], unique=False)

    op.create_table('posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('quote_of_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('edited_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.Column('edit_count', sa.Integer(), nullable=False),
    sa.Column('deleted_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.Column('hidden_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_posts_author_id_users')),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_posts_hidden_by_id_users')),
    sa.ForeignKeyConstraint(['quote_of_id'], ['posts.id'], name=op.f('fk_posts_quote_of_id_posts')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_posts_thread_id_threads')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts')),
    sa.UniqueConstraint('thread_id', 'number', name=op.f('uq_posts_thread_id'))
    )
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posts_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_posts_created_at'), ['created_at'], unique=False)

    op.create_table('subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=True),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_subscriptions_category_id_categories')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_subscriptions_thread_id_threads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_subscriptions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subscriptions')),
    sa.UniqueConstraint('user_id', 'category_id', name='uq_subscriptions_user_category'),
    sa.UniqueConstraint('user_id', 'thread_id', name='uq_subscriptions_user_thread')
    )
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscriptions_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscriptions_thread_id'), ['thread_id'], unique=False)

    op.create_table('thread_reads',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('last_read_number', sa.Integer(), nullable=False),
    sa.Column('last_visit_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_thread_reads_thread_id_threads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_thread_reads_user_id_users')),
    sa.PrimaryKeyConstraint('user_id', 'thread_id', name=op.f('pk_thread_reads'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=True),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('original_name', sa.String(length=255), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_attachments_post_id_posts')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_attachments_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_attachments_stored_name'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_uploader_id'), ['uploader_id'], unique=False)

    op.create_table('flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=1000), nullable=False),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_flags_post_id_posts')),
    sa.ForeignKeyConstraint(['reporter_id'], ['users.id'], name=op.f('fk_flags_reporter_id_users')),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_flags_resolved_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flags')),
    sa.UniqueConstraint('post_id', 'reporter_id', name=op.f('uq_flags_post_id'))
    )
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flags_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_flags_post_id'), ['post_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('read_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.Column('emailed_at', forum.db_types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_notifications_actor_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_notifications_post_id_posts')),
    sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_notifications_thread_id_threads')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index('ix_notifications_user_unread', ['user_id', 'read_at'], unique=False)

    op.create_table('post_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('editor_id', sa.Integer(), nullable=True),
    sa.Column('created_at', forum.db_types.UTCDateTime(), nullable=False),
    sa.Column('body_before', sa.Text(), nullable=False),
    sa.Column('body_after', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['editor_id'], ['users.id'], name=op.f('fk_post_revisions_editor_id_users')),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_revisions_post_id_posts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_revisions'))
    )
    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_post_revisions_post_id'), ['post_id'], unique=False)

    _create_search_index()
    _seed_categories()


def downgrade():
    op.execute("DROP TABLE IF EXISTS post_search")
    with op.batch_alter_table('post_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_post_revisions_post_id'))

    op.drop_table('post_revisions')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_unread')
        batch_op.drop_index(batch_op.f('ix_notifications_thread_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flags_post_id'))
        batch_op.drop_index(batch_op.f('ix_flags_created_at'))

    op.drop_table('flags')
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_uploader_id'))
        batch_op.drop_index(batch_op.f('ix_attachments_post_id'))

    op.drop_table('attachments')
    op.drop_table('thread_reads')
    with op.batch_alter_table('subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscriptions_thread_id'))
        batch_op.drop_index(batch_op.f('ix_subscriptions_category_id'))

    op.drop_table('subscriptions')
    with op.batch_alter_table('posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_posts_created_at'))
        batch_op.drop_index(batch_op.f('ix_posts_author_id'))

    op.drop_table('posts')
    with op.batch_alter_table('case_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_examples_requesting_state'))
        batch_op.drop_index(batch_op.f('ix_case_examples_requested_state'))
        batch_op.drop_index(batch_op.f('ix_case_examples_outcome'))
        batch_op.drop_index(batch_op.f('ix_case_examples_legal_basis'))
        batch_op.drop_index(batch_op.f('ix_case_examples_cooperation_type'))

    op.drop_table('case_examples')
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_threads_space_id'))
        batch_op.drop_index('ix_threads_category_activity')

    op.drop_table('threads')
    with op.batch_alter_table('space_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_space_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_space_members_space_id'))

    op.drop_table('space_members')
    op.drop_table('spaces')
    op.drop_table('notification_settings')
    op.drop_table('categories')


def _create_search_index():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE post_search ("
            " post_id integer PRIMARY KEY REFERENCES posts(id) ON DELETE CASCADE,"
            " title text NOT NULL,"
            " body text NOT NULL,"
            " document tsvector GENERATED ALWAYS AS ("
            "  setweight(to_tsvector('simple', title), 'A') ||"
            "  setweight(to_tsvector('simple', body), 'B')) STORED)"
        )
        op.execute("CREATE INDEX ix_post_search_document ON post_search USING gin (document)")
    else:
        op.execute(
            "CREATE VIRTUAL TABLE post_search USING fts5("
            "title, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


DEFAULT_CATEGORIES = [
    ("general", "General"),
    ("mutual-legal-assistance", "Mutual legal assistance"),
    ("extradition", "Extradition"),
    ("transfer-of-sentenced-persons", "Transfer of sentenced persons"),
    ("confiscation-and-asset-recovery", "Confiscation and asset recovery"),
    ("smuggling-of-migrants-and-trafficking", "Smuggling of migrants and trafficking"),
    ("technical-assistance", "Technical assistance"),
    ("case-examples", "Case examples"),
]


def _seed_categories():
    from datetime import UTC
    from datetime import datetime

    categories = sa.table(
        "categories",
        sa.column("slug", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.String),
        sa.column("position", sa.Integer),
        sa.column("created_at", forum.db_types.UTCDateTime()),
    )
    now = datetime.now(UTC)
    op.bulk_insert(
        categories,
        [
            {"slug": slug, "name": name, "description": "", "position": i, "created_at": now}
            for i, (slug, name) in enumerate(DEFAULT_CATEGORIES)
        ],
    )
