"""Bulk import of entries from CSV or JSON (the export's own formats), all or nothing.

Every row is checked first with the same rules as the edit form. A dry run only reports;
a real run writes only when every row is valid, in one transaction. A row whose State and
name match a live entry updates it; any other row creates an entry.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from dataclasses import field

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.db_types import utcnow
from forum.directory import revisions
from forum.directory import validation
from forum.directory.models import Entry
from forum.directory.models import State
from forum.extensions import db
from forum.security import audit

MAX_ROWS = 5000
_LIST_FIELDS = ("designations", "languages", "channels")


@dataclass
class RowReport:
    number: int
    state_code: str
    name: str
    errors: dict = field(default_factory=dict)
    action: str = ""


@dataclass
class ImportReport:
    rows: list[RowReport] = field(default_factory=list)
    file_error: str = ""
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.file_error and all(not row.errors for row in self.rows)

    @property
    def error_count(self) -> int:
        return (1 if self.file_error else 0) + sum(1 for row in self.rows if row.errors)


def _unneutralise(value):
    """Undo the export's formula guard ("'=…" back to "=…") so exports import unchanged."""
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
        return value[1:]
    return value


def parse(content: bytes, filename: str) -> list[dict]:
    """Rows as dicts; raises ValueError with a message for the user on an unreadable file."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(_("The file is not UTF-8 text.")) from None
    if filename.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(_("The JSON is not valid (line %(n)d).", n=error.lineno)) from None
        rows = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ValueError(_('The JSON must be a list of entries, or {"entries": [...]}.'))
    else:
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error:
            raise ValueError(_("The CSV file could not be read.")) from None
    if not rows:
        raise ValueError(_("The file holds no entries."))
    if len(rows) > MAX_ROWS:
        raise ValueError(_("At most %(count)d entries per import.", count=MAX_ROWS))
    cleaned = []
    for row in rows:
        out = {}
        for key, value in row.items():
            if key is None:
                continue
            if isinstance(value, list) and key not in _LIST_FIELDS:
                value = "\n".join(str(item) for item in value)
            out[str(key).strip()] = _unneutralise(value)
        cleaned.append(out)
    return cleaned


def check(rows: list[dict]) -> tuple[ImportReport, list[tuple[RowReport, str, dict]]]:
    report = ImportReport()
    valid = []
    states = set(db.session.scalars(sa.select(State.code)))
    seen = set()
    for number, raw in enumerate(rows, start=1):
        code = str(raw.get("state_code") or "").strip().upper()
        data, errors = validation.clean_entry(raw)
        row = RowReport(number=number, state_code=code, name=data["name"], errors=errors)
        if code not in states:
            row.errors["state_code"] = _("Unknown State code: %(code)s.", code=code or "—")
        key = (code, data["name"].lower())
        if key in seen:
            row.errors["name"] = _("The same entry appears twice in the file.")
        seen.add(key)
        report.rows.append(row)
        if not row.errors:
            valid.append((row, code, data))
    return report, valid


def run(actor, content: bytes, filename: str, *, dry_run: bool) -> ImportReport:
    try:
        rows = parse(content, filename)
    except ValueError as error:
        return ImportReport(file_error=str(error))
    report, valid = check(rows)
    existing = {
        (entry.state_code, entry.name.lower()): entry
        for entry in db.session.scalars(sa.select(Entry).where(Entry.deleted_at.is_(None)))
    }
    for row, code, data in valid:
        row.action = "update" if (code, data["name"].lower()) in existing else "create"
    if dry_run or not report.ok:
        return report
    now = utcnow()
    for _row, code, data in valid:
        entry = existing.get((code, data["name"].lower()))
        before = revisions.entry_snapshot(entry) if entry else None
        if entry is None:
            entry = Entry(state_code=code)
            db.session.add(entry)
        for name, value in data.items():
            setattr(entry, name, value)
        entry.refresh_search_text()
        entry.last_updated_at = now
        db.session.flush()
        revisions.record(
            actor=actor,
            state_code=code,
            entry=entry,
            action="import",
            snapshot=revisions.entry_snapshot(entry),
            before=before,
        )
        db.session.get(State, code).last_updated_at = now
    audit.record(
        "directory.imported",
        actor=actor,
        target_type="directory",
        filename=filename[:200],
        created=sum(1 for row in report.rows if row.action == "create"),
        updated=sum(1 for row in report.rows if row.action == "update"),
    )
    db.session.commit()
    report.written = True
    return report
