"""The 193 UN Member States; search filters; constant queries; the routing helper; resources.

The Member States list is data checked against pycountry; the migration seeds it and
``flask directory seed-states`` is idempotent. Home and search run a fixed number of
queries whatever the number of States and entries.
"""

from __future__ import annotations

import pycountry
import pytest
import sqlalchemy as sa

from forum import create_app
from forum.auth.models import Role
from forum.directory.models import Resource
from forum.directory.models import State
from forum.directory.un_members import UN_MEMBER_STATES
from forum.extensions import db
from tests.directory.conftest import PUBLIC
from tests.directory.conftest import make_entry
from tests.factories import make_user
from tests.statements import recorded_statements


def test_the_member_states_are_193_distinct_iso_codes():
    assert len(UN_MEMBER_STATES) == 193
    assert len(set(UN_MEMBER_STATES)) == 193
    assert all(pycountry.countries.get(alpha_2=code) for code in UN_MEMBER_STATES)
    # Observers and territories are not Member States.
    assert not {"PS", "VA", "TW", "XK", "PR", "HK"} & set(UN_MEMBER_STATES)


def test_the_migration_seeds_every_state_members_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'seed.sqlite3'}"
    application = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    result = application.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with application.app_context():
        states = db.session.scalars(sa.select(State)).all()
        assert len(states) == 193
        assert {s.visibility for s in states} == {"members"}
        assert db.session.get(State, "BO").name == "Bolivia"
        again = application.test_cli_runner().invoke(args=["directory", "seed-states"])
        assert "0 States added" in again.output
        db.session.remove()
        db.engine.dispose()


def test_seed_states_fills_an_empty_table(app):
    result = app.test_cli_runner().invoke(args=["directory", "seed-states"])
    assert "193 States added" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(State)) == 193


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=extradition", {"Extradition Desk"}),
        ("q=desk lisbon", set()),
        ("q=france", {"Extradition Desk", "Ministry of Justice — Mutual Assistance Office"}),
        ("designation=untoc_extradition", {"Extradition Desk"}),
        ("language=es", {"Extradition Desk"}),
        ("channel=interpol", {"Extradition Desk"}),
        ("q=%25", set()),
    ],
)
def test_search_filters(client, states, query, expected):
    make_entry(
        PUBLIC,
        "Extradition Desk",
        designations=["untoc_extradition"],
        languages=["es"],
        channels=["interpol"],
    )
    page = client.get(f"/directory/?{query}")
    assert page.status_code == 200
    names = {"Extradition Desk", "Ministry of Justice — Mutual Assistance Office"}
    assert {name for name in names if f">{name}</a>" in page.text} == expected


def count_queries(client, path: str) -> int:
    with recorded_statements() as statements:
        assert client.get(path).status_code == 200
    return len(statements)


@pytest.mark.parametrize("path", ["/directory/", "/directory/?q=justice", f"/directory/{PUBLIC}"])
def test_pages_run_a_constant_number_of_queries(client, auth, member, states, path):
    auth.login(member)
    small = count_queries(client, path)
    for n in range(12):
        entry = make_entry(PUBLIC, f"Justice Office {n}")
        make_entry("DE", f"Justice Bureau {n}")
        from tests.directory.conftest import add_contact

        add_contact(entry, f"Person {n}")
    assert count_queries(client, path) == small


def test_routing_helper_answers_with_the_authority_and_treaties(client, auth, member, states):
    make_entry(PUBLIC, "Extradition Desk", designations=["untoc_extradition"])
    state = db.session.get(State, PUBLIC)
    state.treaties_json = (
        '[{"title": "France–Germany extradition treaty", "kind": "bilateral", '
        '"partners": ["DE"], "date": "1990-01-01"}]'
    )
    db.session.get(State, "DE").visibility = "public"
    db.session.commit()
    page = client.get(f"/directory/route?state={PUBLIC}&measure=extradition&from=DE")
    assert page.status_code == 200
    assert "Extradition Desk" in page.text
    assert "Mutual Assistance Office" not in page.text
    assert "France–Germany extradition treaty" in page.text
    # A member's own State is the default origin.
    auth.login(make_user(state_code="DE"))
    page = client.get(f"/directory/route?state={PUBLIC}&measure=extradition")
    assert "France–Germany extradition treaty" in page.text
    assert client.get("/directory/route?state=FR&measure=bogus").status_code == 200


def test_resources_are_managed_by_moderators(client, auth, member, states):
    form = {
        "title": "Model law",
        "url": "https://unodc.example.org/ml",
        "category": "model_law",
        "language": "en",
        "description": "",
    }
    auth.login(member)
    assert client.get("/directory/resources").status_code == 200
    assert client.post("/directory/resources/new", data=form).status_code == 403
    auth.logout()
    auth.login(make_user(role=Role.MODERATOR, state_code=None))
    assert client.post("/directory/resources/new", data=form).status_code == 302
    bad = client.post("/directory/resources/new", data=dict(form, url="javascript://%0aalert(1)"))
    assert bad.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Resource)) == 1
    assert "Model law" in client.get("/directory/resources").text
