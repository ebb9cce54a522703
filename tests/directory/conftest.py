"""Directory fixtures: the 193 States, a public and a restricted State, entries, people."""

from __future__ import annotations

from datetime import timedelta

import pytest

from forum.auth.models import Role
from forum.db_types import utcnow
from forum.directory.cli import seed_states
from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import State
from forum.extensions import db
from tests.factories import make_user

PUBLIC = "FR"
RESTRICTED = "TH"
RESTRICTED_AUTHORITY = "Confidential Bureau of Mutual Assistance"


def make_entry(state_code: str, name: str, *, age_days: int = 0, **fields) -> Entry:
    """An entry written straight to the database (no revision), dated ``age_days`` ago."""
    when = utcnow() - timedelta(days=age_days)
    entry = Entry(
        state_code=state_code,
        name=name,
        designations=fields.pop("designations", ["untoc_mla"]),
        languages=fields.pop("languages", ["en", "fr"]),
        channels=fields.pop("channels", ["direct"]),
        last_updated_at=when,
        created_at=when,
        **fields,
    )
    entry.refresh_search_text()
    db.session.add(entry)
    state = db.session.get(State, state_code)
    state.last_updated_at = max(filter(None, [state.last_updated_at, when]))
    db.session.commit()
    return entry


def add_contact(entry: Entry, name: str, **fields) -> ContactPerson:
    contact = ContactPerson(entry=entry, name=name, languages=["en"], **fields)
    db.session.add(contact)
    db.session.commit()
    return contact


@pytest.fixture
def states(app):
    """All UN Member States; France public, Thailand members-only, each with one entry."""
    seed_states()
    db.session.get(State, PUBLIC).visibility = "public"
    db.session.get(State, RESTRICTED).visibility = "members"
    db.session.commit()
    public_entry = make_entry(
        PUBLIC,
        "Ministry of Justice — Mutual Assistance Office",
        emails="entraide@justice.example.org",
    )
    add_contact(public_entry, "Claire Dupont", title="Head of office", email="cd@example.org")
    restricted_entry = make_entry(RESTRICTED, RESTRICTED_AUTHORITY, languages=["th", "en"])
    add_contact(restricted_entry, "Somchai Secret", email="ss@example.org")
    return {"public": public_entry, "restricted": restricted_entry}


@pytest.fixture
def focal_point(app):
    return make_user(email="fp.fr@example.org", role=Role.FOCAL_POINT, state_code=PUBLIC)
