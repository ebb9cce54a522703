"""The search page and the routing helper reuse rendered pieces (forum/directory/fragments.py).

A piece is keyed by everything it shows, so warm pieces must follow every change at once:
a State turned members-only, an edit, a new contact person, an entry verified. Results come
25 a page with their number and links to the other pages.
"""

from __future__ import annotations

import re

from forum.db_types import utcnow
from forum.directory import search
from forum.directory.models import State
from forum.extensions import db
from tests.directory.conftest import PUBLIC
from tests.directory.conftest import add_contact
from tests.directory.conftest import make_entry

PUBLIC_AUTHORITY = "Ministry of Justice — Mutual Assistance Office"
ROUTE = f"/directory/route?state={PUBLIC}&measure=mla"


def _set_visibility(code: str, visibility: str) -> None:
    db.session.get(State, code).visibility = visibility
    db.session.commit()


def _result_names(html: str) -> list[str]:
    return re.findall(r'<td><a href="/directory/[A-Z]{2}#e\d+">([^<]+)</a>', html)


def test_a_state_turned_members_only_leaves_warm_pages_at_once(client, auth, member, states):
    auth.login(member)
    assert "Claire Dupont" in client.get(ROUTE).text  # warm, with contact persons
    assert PUBLIC_AUTHORITY in client.get("/directory/?q=justice").text
    auth.logout()
    route = client.get(ROUTE)
    assert PUBLIC_AUTHORITY in route.text
    assert "Claire Dupont" not in route.text
    assert PUBLIC_AUTHORITY in client.get("/directory/?q=justice").text

    _set_visibility(PUBLIC, "members")
    assert client.get(ROUTE).status_code == 404
    page = client.get("/directory/?q=justice")
    assert PUBLIC_AUTHORITY not in page.text
    assert "0 authorities found" in page.text
    assert f'<option value="{PUBLIC}"' not in page.text

    _set_visibility(PUBLIC, "public")
    assert PUBLIC_AUTHORITY in client.get("/directory/?q=justice").text


def test_edits_show_at_once_on_warm_pages(client, auth, member, states):
    auth.login(member)
    entry = states["public"]
    assert PUBLIC_AUTHORITY in client.get("/directory/?q=justice").text
    assert "Jean Martin" not in client.get(ROUTE).text

    entry.name = "Ministry of Justice — International Cooperation Office"
    entry.refresh_search_text()
    db.session.commit()
    add_contact(entry, "Jean Martin", email="jm@example.org")

    page = client.get("/directory/?q=justice").text
    assert "International Cooperation Office" in page
    assert "Mutual Assistance Office" not in page
    route = client.get(ROUTE).text
    assert "International Cooperation Office" in route and "Jean Martin" in route


def test_the_stale_badge_follows_verification(client, states):
    entry = make_entry(PUBLIC, "Old Extradition Office", age_days=400)
    row = next(r for r in _rows(client.get("/directory/?q=extradition").text) if "Old" in r)
    assert "Stale" in row
    entry.last_verified_at = utcnow()
    db.session.commit()
    row = next(r for r in _rows(client.get("/directory/?q=extradition").text) if "Old" in r)
    assert "Stale" not in row


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr>.*?</tr>", html, re.S)


def test_results_are_paged_with_their_number_and_links(client, states):
    for n in range(search.PAGE_SIZE * 2 + 3):
        make_entry(PUBLIC, f"Regional Prosecution Office {n:02d}")
    total = search.PAGE_SIZE * 2 + 3
    first = client.get("/directory/?q=prosecution")
    assert f"{total} authorities found" in first.text
    assert len(_result_names(first.text)) == search.PAGE_SIZE
    assert 'href="/directory/?q=prosecution&amp;page=3"' in first.text
    assert 'aria-current="page">1<' in first.text

    last = client.get("/directory/?q=prosecution&page=3")
    names = _result_names(last.text)
    assert names == [f"Regional Prosecution Office {n:02d}" for n in range(total - 3, total)]
    assert 'aria-current="page">3<' in last.text
    assert 'rel="next"' not in last.text

    seen = set()
    for page in (1, 2, 3):
        seen.update(_result_names(client.get(f"/directory/?q=prosecution&page={page}").text))
    assert len(seen) == total

    beyond = client.get("/directory/?q=prosecution&page=9")
    assert beyond.status_code == 200
    assert f"{total} authorities found" in beyond.text
    assert _result_names(beyond.text) == []


def test_the_selected_filters_stay_selected(client, states):
    page = client.get(f"/directory/?q=office&state={PUBLIC}&language=fr&channel=direct").text
    assert f'<option value="{PUBLIC}" selected>' in page
    assert '<option value="fr" selected>' in page
    assert '<option value="direct" selected>' in page
    assert 'value="office"' in page
    other = client.get("/directory/?q=office").text
    assert " selected>" not in other
