"""Per-State visibility: anonymous visitors see public States only, never contact persons.

A restricted State answers 404 exactly like an unknown one, and leaks through no search,
count, export, sitemap, routing answer or error message. Members see every State.
"""

from __future__ import annotations

import json

import pytest

from tests.directory.conftest import PUBLIC
from tests.directory.conftest import RESTRICTED
from tests.directory.conftest import RESTRICTED_AUTHORITY

# What must never reach an anonymous visitor.
SECRETS = (RESTRICTED_AUTHORITY, "Thailand", "Somchai", "/directory/TH")


def assert_no_leak(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, secret


def test_anonymous_sees_a_public_state_without_contact_persons(client, states):
    page = client.get(f"/directory/{PUBLIC}")
    assert page.status_code == 200
    assert "Ministry of Justice — Mutual Assistance Office" in page.text
    assert "entraide@justice.example.org" in page.text
    assert "Claire Dupont" not in page.text
    assert "cd@example.org" not in page.text


def test_restricted_state_is_a_404_like_an_unknown_one(client, states):
    restricted = client.get(f"/directory/{RESTRICTED}")
    unknown = client.get("/directory/QQ")
    assert restricted.status_code == unknown.status_code == 404
    assert restricted.text == unknown.text
    assert_no_leak(restricted.text)
    assert client.get("/directory/th").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/directory/",
        "/directory/?q=confidential",
        "/directory/?q=bureau",
        f"/directory/?state={RESTRICTED}",
        "/directory/?language=th",
        "/directory/?designation=untoc_mla",
        "/directory/route",
        f"/directory/route?state={PUBLIC}&measure=mla",
        "/directory/export.csv",
        "/directory/export.json",
        "/directory/sitemap.xml",
    ],
)
def test_restricted_state_leaks_nowhere_to_anonymous(client, states, path):
    response = client.get(path)
    assert response.status_code == 200
    assert_no_leak(response.text)


def test_counts_include_public_states_only(client, states):
    page = client.get("/directory/?designation=untoc_mla")
    assert "1 authority found" in page.text


def test_routing_to_a_restricted_state_is_a_404(client, states):
    restricted = client.get(f"/directory/route?state={RESTRICTED}&measure=mla")
    unknown = client.get("/directory/route?state=QQ&measure=mla")
    assert restricted.status_code == unknown.status_code == 404
    assert restricted.text == unknown.text


def test_anonymous_export_holds_public_entries_and_no_contacts(client, states):
    data = json.loads(client.get("/directory/export.json").text)
    assert [e["state_code"] for e in data["entries"]] == [PUBLIC]
    assert "contacts" not in data["entries"][0]
    csv_text = client.get("/directory/export.csv").text
    assert "Mutual Assistance Office" in csv_text
    assert "contacts" not in csv_text.splitlines()[0]


def test_member_sees_every_state_and_contact_persons(client, auth, member, states):
    auth.login(member)
    page = client.get(f"/directory/{RESTRICTED}")
    assert page.status_code == 200
    assert RESTRICTED_AUTHORITY in page.text
    assert "Somchai Secret" in page.text
    assert RESTRICTED_AUTHORITY in client.get("/directory/?q=confidential").text
    data = json.loads(client.get("/directory/export.json").text)
    assert {e["state_code"] for e in data["entries"]} == {PUBLIC, RESTRICTED}
    assert data["entries"][0]["contacts"]
    # Sitemaps are for search engines: public States only, whoever asks.
    assert "/directory/TH" not in client.get("/directory/sitemap.xml").text


def test_vcard_is_for_members_only(client, auth, member, states):
    contact = states["public"].contacts[0]
    anonymous = client.get(f"/directory/contacts/{contact.id}.vcf")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/auth/login")
    auth.login(member)
    card = client.get(f"/directory/contacts/{contact.id}.vcf")
    assert card.status_code == 200
    assert card.mimetype == "text/vcard"
    assert "FN:Claire Dupont" in card.text
    assert "BEGIN:VCARD" in card.text


def test_history_is_for_members_only(client, states):
    response = client.get(f"/directory/{PUBLIC}/history")
    assert response.status_code == 302
