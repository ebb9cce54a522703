"""Bulk import (admins, CSV/JSON, dry run, all or nothing), exports and vCards.

A bad file is rejected with each row's errors and writes nothing, even with dry run off;
the CSV export neutralises cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import io
import json

import sqlalchemy as sa

from forum.auth.models import Role
from forum.directory.export import neutralise
from forum.directory.models import Entry
from forum.extensions import db
from tests.directory.conftest import PUBLIC
from tests.directory.conftest import make_entry
from tests.factories import make_user
from tests.security.walk import database_snapshot

GOOD_CSV = (
    "state_code,name,designations,languages,channels,emails\n"
    "DE,Federal Office of Justice,untoc_mla untoc_extradition,de en,direct,bfj@example.org\n"
    "KE,Office of the DPP,untoc_mla,en sw,diplomatic,dpp@example.org\n"
)
BAD_CSV = (
    "state_code,name,designations,languages,channels,emails\n"
    "DE,Federal Office of Justice,untoc_mla,de,direct,bfj@example.org\n"
    "ZZ,Nowhere Office,untoc_mla,en,direct,x@example.org\n"
    "KE,,bogus,xx,carrier-pigeon,not-an-email\n"
)


def upload(client, content: str, name: str = "entries.csv", dry_run: bool = True):
    data = {"file": (io.BytesIO(content.encode()), name)}
    if dry_run:
        data["dry_run"] = "y"
    return client.post("/directory/import", data=data, content_type="multipart/form-data")


def entry_count() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Entry))


def test_import_is_for_admins(client, auth, states):
    auth.login(make_user(role=Role.MODERATOR, state_code=None))
    assert upload(client, GOOD_CSV).status_code == 403


def test_dry_run_rejects_a_bad_file_with_each_rows_errors_and_writes_nothing(
    client, auth, admin_user, states
):
    auth.login(admin_user)
    before = database_snapshot()
    answer = upload(client, BAD_CSV)
    assert answer.status_code == 400
    assert "Unknown State code: ZZ." in answer.text
    assert "The authority&#39;s name is required." in answer.text
    assert "Not an ISO 639-1 language code: xx." in answer.text
    assert "Unknown channel: carrier-pigeon." in answer.text
    assert "Not an e-mail address: not-an-email." in answer.text
    assert "3 rows, 2 with errors." in answer.text
    assert database_snapshot() == before


def test_a_real_import_with_one_bad_row_writes_nothing(client, auth, admin_user, states):
    auth.login(admin_user)
    before = database_snapshot()
    assert upload(client, BAD_CSV, dry_run=False).status_code == 400
    assert database_snapshot() == before


def test_valid_file_dry_run_then_import(client, auth, admin_user, states):
    auth.login(admin_user)
    count = entry_count()
    assert upload(client, GOOD_CSV).status_code == 200
    assert entry_count() == count
    assert upload(client, GOOD_CSV, dry_run=False).status_code == 200
    assert entry_count() == count + 2
    # Importing again updates rather than duplicates.
    answer = upload(client, GOOD_CSV, dry_run=False)
    assert "updates an existing entry" in answer.text
    assert entry_count() == count + 2


def test_json_export_imports_back_unchanged(app, client, auth, admin_user, states):
    auth.login(admin_user)
    exported = client.get("/directory/export.json").text
    count = entry_count()
    answer = upload(client, exported, name="directory.json", dry_run=False)
    assert answer.status_code == 200, answer.text
    assert entry_count() == count


def test_cli_import_dry_run_and_errors(app, tmp_path, states):
    good = tmp_path / "good.csv"
    good.write_text(GOOD_CSV)
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV)
    runner = app.test_cli_runner()
    count = entry_count()
    result = runner.invoke(args=["directory", "import", str(bad)])
    assert result.exit_code == 1
    assert "Unknown State code: ZZ." in result.output
    result = runner.invoke(args=["directory", "import", "--dry-run", str(good)])
    assert result.exit_code == 0 and entry_count() == count
    result = runner.invoke(args=["directory", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert entry_count() == count + 2


def test_csv_export_neutralises_formulas(client, states):
    make_entry(
        PUBLIC,
        '=HYPERLINK("http://evil.example","click")',
        phones="+33 1 40 00 00 00",
        notes="@SUM(A1:A2)",
        fax="-2+3",
    )
    text = client.get("/directory/export.csv").text
    assert "'=HYPERLINK" in text
    assert "'+33 1 40 00 00 00" in text
    assert "'@SUM(A1:A2)" in text
    assert "'-2+3" in text
    for cell in ("=HYPERLINK", "+33", "@SUM", "-2+3"):
        assert f",{cell}" not in text and f'"{cell}' not in text
    assert neutralise("plain") == "plain"
    assert neutralise("=1+1") == "'=1+1"


def test_json_export_lists_visible_entries(client, states):
    data = json.loads(client.get("/directory/export.json").text)
    assert data["entries"][0]["name"] == states["public"].name
    assert data["entries"][0]["designations"] == ["untoc_mla"]
