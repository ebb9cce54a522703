"""Languages: the browser's choice, the user's own setting winning over it, English otherwise;
and catalogues that are complete (nothing untranslated or fuzzy, placeholders intact).
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from forum.extensions import db
from tests.catalogues import TRANSLATIONS
from tests.catalogues import compile_catalogues
from tests.catalogues import po_files

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    compile_catalogues()


def _login_page(client, accept_language: str):
    response = client.get("/auth/login", headers={"Accept-Language": accept_language})
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize(
    ("accept_language", "lang", "title"),
    [
        ("fr", "fr", "Se connecter"),
        ("fr-CH, fr;q=0.9, en;q=0.5", "fr", "Se connecter"),
        ("es-ES,es;q=0.9", "es", "Iniciar sesión"),
        ("en-GB", "en", "Log in"),
    ],
)
def test_the_browser_language_is_used(client, accept_language, lang, title):
    page = _login_page(client, accept_language)
    assert f'<html lang="{lang}">' in page
    assert f"<h1>{title}</h1>" in page


@pytest.mark.parametrize("accept_language", ["de", "zh-CN, ja;q=0.8", ""])
def test_an_unknown_language_falls_back_to_english(client, accept_language):
    page = _login_page(client, accept_language)
    assert '<html lang="en">' in page
    assert "<h1>Log in</h1>" in page


def test_the_users_own_language_wins_over_the_browser(client, auth, member):
    auth.login(member)
    french_browser = {"Accept-Language": "fr"}
    assert 'lang="fr"' in client.get("/", headers=french_browser).text

    response = client.post("/account/preferences", data={"language": "es"})
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.preferred_language == "es"
    home = client.get("/", headers=french_browser).text
    assert '<html lang="es">' in home
    assert "Cerrar sesión" in home

    client.post("/account/preferences", data={"language": ""})
    db.session.refresh(member)
    assert member.preferred_language is None
    assert '<html lang="fr">' in client.get("/", headers=french_browser).text


def test_preferences_refuse_a_language_we_do_not_offer(client, auth, member):
    auth.login(member)
    response = client.post("/account/preferences", data={"language": "de"})
    assert response.status_code == 400
    db.session.refresh(member)
    assert member.preferred_language is None


def test_every_offered_language_has_a_catalogue(app):
    offered = set(app.config["LANGUAGES"]) - {app.config["BABEL_DEFAULT_LOCALE"]}
    assert {path.parent.parent.name for path in po_files()} == offered
    for path in po_files():
        assert path.with_suffix(".mo").exists()


def _messages(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return [message for message in catalog if message.id]


@pytest.mark.parametrize("po_path", po_files(), ids=lambda path: path.parent.parent.name)
def test_catalogue_is_complete(po_path):
    untranslated, fuzzy, broken = [], [], []
    for message in _messages(po_path):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(ids[0])
        if message.fuzzy:
            fuzzy.append(ids[0])
        expected = sorted(_PLACEHOLDER.findall(ids[0]))
        if any(string and sorted(_PLACEHOLDER.findall(string)) != expected for string in strings):
            broken.append(ids[0])
    assert untranslated == []
    assert fuzzy == []
    assert broken == [], "placeholders must survive translation unchanged"


@pytest.mark.parametrize("po_path", po_files(), ids=lambda path: path.parent.parent.name)
def test_catalogue_has_every_extracted_message(po_path):
    """``make messages`` merges the template into every catalogue; nothing is left behind."""
    template = {message.id for message in _messages(TRANSLATIONS / "messages.pot")}
    catalogue = {message.id for message in _messages(po_path)}
    assert template - catalogue == set()


def test_template_holds_every_string_in_the_code():
    """A string added to the code or a template without ``make messages`` fails here."""
    from babel.messages.extract import DEFAULT_KEYWORDS
    from babel.messages.extract import extract_from_dir

    root = TRANSLATIONS.parent.parent
    method_map = [
        ("forum/**.py", "python"),
        ("templates/**.html", "jinja2"),
        ("templates/**.txt", "jinja2"),
    ]
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    extracted = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map=method_map, keywords=keywords
    ):
        extracted.add(message if isinstance(message, str) else message[0])
    template = {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in _messages(TRANSLATIONS / "messages.pot")
    }
    assert len(extracted) > 100, "the extraction itself found nothing"
    assert extracted - template == set(), "run `make messages` and translate the new strings"
