"""Models and migrations agree on both backends, and the migrations run down as well as up."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import current_app

from forum import create_app
from forum.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        # The same filter as autogenerate: tables outside the models (the search index).
        include_name = current_app.extensions["migrate"].configure_args.get("include_name")
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": include_name,
            },
        )
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_and_downgrade_on_an_empty_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    runner = application.test_cli_runner()
    try:
        upgraded = runner.invoke(args=["db", "upgrade"])
        assert upgraded.exit_code == 0, upgraded.output
        with application.app_context():
            tables = set(sa.inspect(db.engine).get_table_names())
            assert {table.name for table in db.metadata.sorted_tables} <= tables

        downgraded = runner.invoke(args=["db", "downgrade", "base"])
        assert downgraded.exit_code == 0, downgraded.output
        with application.app_context():
            engine = db.engine
            assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
            with engine.connect() as connection:
                versions = connection.execute(sa.text("SELECT * FROM alembic_version")).all()
            assert versions == []
    finally:
        with application.app_context():
            db.engine.dispose()
