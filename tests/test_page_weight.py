"""Page weight: every main page's HTML + CSS + JS, each gzip-compressed as nginx serves it,
stays within 60 KB, and no page makes a request to another host (scripts, styles, images,
frames, CSS ``url()``/``@import``). bench/page_weight.py prints the same figures.
"""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from forum import devdata
from forum.extensions import db

BUDGET = 60 * 1024
# (name, path) as a member sees them; generated data fills lists, threads and the directory.
PAGES = [
    ("home", "/"),
    ("directory", "/directory/"),
    ("directory search", "/directory/?q=ministry"),
    ("State page", "/directory/FR"),
    ("routing helper", "/directory/route?state=FR&measure=mla"),
    ("discussions", "/discussions/"),
    ("category", "/discussions/c/general"),
    ("thread", "/discussions/t/1"),
    ("search", "/search?q=extradition"),
    ("chat", "/chat/"),
    ("account security", "/account/security"),
]
ANONYMOUS_PAGES = [("login", "/auth/login"), ("apply", "/apply")]
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)|@import\s+['"]([^'"]+)""")


class _Resources(HTMLParser):
    """URLs the browser fetches on its own: scripts, styles, icons, images, frames, media."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.other: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("href"):
            rel = (attrs.get("rel") or "").lower()
            (self.styles if "stylesheet" in rel else self.other).append(attrs["href"])
        elif tag in ("img", "iframe", "embed", "source", "audio", "video", "track", "input"):
            if attrs.get("src"):
                self.other.append(attrs["src"])
        elif tag == "object" and attrs.get("data"):
            self.other.append(attrs["data"])


def _gzipped(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=5))


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc or parts.scheme == "data"


def measure(client, path: str) -> dict:
    """Gzipped bytes of the page and every script and stylesheet it loads; foreign URLs."""
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    parser = _Resources()
    parser.feed(answer.text)
    sizes = {"html": _gzipped(answer.data), "css": 0, "js": 0}
    foreign = [url for url in parser.scripts + parser.styles + parser.other if not _is_local(url)]
    for kind, urls in (("js", parser.scripts), ("css", parser.styles)):
        for url in urls:
            if not _is_local(url):
                continue
            asset = client.get(urlsplit(url).path)
            assert asset.status_code == 200, (url, asset.status_code)
            body = asset.get_data()
            asset.close()
            sizes[kind] += _gzipped(body)
            if kind == "css":
                for match in _CSS_URL.finditer(body.decode()):
                    target = match.group(1) or match.group(2)
                    if not _is_local(target):
                        foreign.append(target)
    sizes["total"] = sizes["html"] + sizes["css"] + sizes["js"]
    sizes["foreign"] = foreign
    return sizes


def fill() -> None:
    """Realistic data (devdata): members, directory entries, threads of up to 100 posts."""
    devdata.generate(users=40, threads=60, posts=1_200, entries_per_state=6)


def log_in(client) -> None:
    """A generated member signed in through the real two-step login."""
    client.post(
        "/auth/login",
        data={"email": f"user2@{devdata.EMAIL_DOMAIN}", "password": devdata.GENERATED_PASSWORD},
    )
    code = pyotp.TOTP(devdata.GENERATED_TOTP_SECRET).now()
    answer = client.post("/auth/login/code", data={"code": code})
    assert answer.status_code == 302, answer.status_code


@pytest.fixture
def _empty_search_index(app):
    if db.engine.dialect.name == "sqlite":
        db.session.execute(sa.text("DELETE FROM post_search"))
        db.session.commit()


@pytest.mark.parametrize(("name", "path"), ANONYMOUS_PAGES)
def test_anonymous_pages_are_light_and_local(client, name, path):
    sizes = measure(client, path)
    assert sizes["total"] <= BUDGET, (name, sizes)
    assert sizes["foreign"] == [], (name, sizes["foreign"])


def test_member_pages_are_light_and_local(client, _empty_search_index):
    fill()
    log_in(client)
    problems = []
    for name, path in PAGES:
        sizes = measure(client, path)
        if sizes["total"] > BUDGET or sizes["foreign"]:
            problems.append((name, sizes))
    assert problems == []


def test_the_check_catches_a_foreign_script(client):
    """The parser sees what a browser would fetch: a CDN script is reported."""
    parser = _Resources()
    parser.feed('<script src="https://cdn.example.com/x.js"></script><a href="https://e.org">')
    assert [url for url in parser.scripts if not _is_local(url)] == ["https://cdn.example.com/x.js"]
    assert parser.other == []
