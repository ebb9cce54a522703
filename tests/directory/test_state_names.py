"""State names in the reader's language (pycountry's ISO 3166-1 catalogues), falling back to
English: directory pages, lists sorted by the translated name, search by the translated name,
and the member's own State in the header. The catalogue of a language is loaded once."""

from __future__ import annotations

import re

import pytest

from forum import countries
from forum.countries import sort_key
from forum.countries import state_name
from tests.directory.conftest import make_entry
from tests.factories import make_user

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
ES = {"Accept-Language": "es"}


def _options(html: str, select_name: str) -> list[str]:
    block = re.search(rf'<select[^>]*name="{select_name}".*?</select>', html, re.S).group(0)
    return [name for name in re.findall(r"<option value=\"[A-Z]{2}\"[^>]*>([^<]+)<", block)]


def test_names_come_from_the_catalogue_with_english_fallback(app):
    assert state_name("DE", language="fr") == "Allemagne"
    assert state_name("DE", language="es") == "Alemania"
    assert state_name("DE", language="en") == "Germany"
    assert state_name("BO", "Bolivia", language="fr") == "Bolivie"
    assert state_name("CD", "Democratic Republic of the Congo", language="fr") == (
        "République démocratique du Congo"
    )
    assert state_name("DE", language="xx") == "Germany"  # no catalogue: English
    assert state_name("ZZ", "Nowhere", language="fr") == "Nowhere"


def test_a_state_page_in_french(client, auth, member, states):
    auth.login(member)
    page = client.get("/directory/DE", headers=FR)
    assert page.status_code == 200
    assert "<h1>Allemagne" in page.text
    assert "<h1>Germany" in client.get("/directory/DE").text


def test_state_lists_are_sorted_by_the_translated_name(client, auth, member, states):
    auth.login(member)
    french = _options(client.get("/directory/", headers=FR).text, "state")
    assert len(french) == 193
    assert "Allemagne" in french and "Germany" not in french
    assert french == sorted(french, key=sort_key)
    assert french.index("Allemagne") < french.index("Autriche") < french.index("Belgique")
    assert french.index("Égypte") < french.index("Espagne")  # the accent does not count
    spanish = _options(client.get("/directory/route", headers=ES).text, "state")
    assert "Alemania" in spanish and spanish == sorted(spanish, key=sort_key)


def test_search_finds_and_orders_by_the_translated_name(client, auth, member, states):
    make_entry("DE", "Bundesamt für Justiz")
    make_entry("AT", "Bundesministerium für Justiz")
    make_entry("ES", "Ministerio de Justicia")
    auth.login(member)
    found = client.get("/directory/?q=allemagne", headers=FR).text
    assert "Bundesamt für Justiz" in found and "Ministerio de Justicia" not in found
    listed = client.get("/directory/?q=justi", headers=FR).text
    positions = [listed.index(name) for name in ("Bundesamt", "Bundesministerium", "Ministerio")]
    assert positions == sorted(positions)  # Allemagne, Autriche, Espagne
    english = client.get("/directory/?q=justi").text
    order = [english.index(name) for name in ("Bundesministerium", "Bundesamt", "Ministerio")]
    assert order == sorted(order)  # Austria, Germany, Spain


@pytest.mark.parametrize(
    ("headers", "expected"), [(FR, "Allemagne"), (ES, "Alemania"), ({}, "Germany")]
)
def test_the_header_names_the_members_state_in_their_language(client, auth, headers, expected):
    auth.login(make_user(state_code="DE"))
    page = client.get("/", headers=headers)
    assert re.search(rf'class="user-state">· {expected}<', page.text), page.text[:2000]


def test_catalogues_are_loaded_once_per_language(client, auth, member, states):
    auth.login(member)
    client.get("/directory/", headers=FR)
    loaded = countries._catalogue.cache_info().misses
    for _ in range(3):
        client.get("/directory/", headers=FR)
    assert countries._catalogue.cache_info().misses == loaded
