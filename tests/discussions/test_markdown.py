"""Markdown sanitising: every payload of a corpus of known XSS vectors comes out inert; links
get rel="nofollow noopener noreferrer"; external images are dropped; mentions render only for
resolved members."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from forum.discussions.markdown import mentioned_emails
from forum.discussions.markdown import render

PAYLOADS = [
    line
    for line in (Path(__file__).parent / "data" / "xss_payloads.txt").read_text().splitlines()
    if line.strip()
]
# Allowed tags that survive sanitising; anything else in the output is a failure.
_ALLOWED = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "hr",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "span",
    "strong",
    "ul",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}


def test_the_corpus_is_large_enough():
    assert len(PAYLOADS) >= 50


class _Elements(HTMLParser):
    """The real elements and attributes of the output, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_neutralised(payload):
    html = render(payload)
    for tag, attrs in _Elements(html).found:
        assert tag in _ALLOWED, html
        assert not [a for a in attrs if a.startswith("on") or a == "style"], html
        for name in ("href", "src"):
            if name in attrs:
                assert re.match(r"^(https?:|mailto:|/|#)", attrs[name].strip()), html
        if tag == "img":
            assert (attrs.get("src") or "/discussions/attachments/").startswith(
                "/discussions/attachments/"
            ), html
        if tag == "a" and "href" in attrs:
            assert attrs.get("rel") == "nofollow noopener noreferrer", html


def test_links_are_nofollow_and_images_local_only():
    html = render("[site](https://example.org) ![pic](https://tracker.example/p.png)")
    assert 'rel="nofollow noopener noreferrer"' in html
    assert "tracker.example" not in html
    assert render("![pic](/discussions/attachments/3)").count('src="/discussions/attachments/3"')


def test_mentions_render_only_when_resolved():
    html = render("Hi @bob@example.org and @eve@example.org", {"bob@example.org": "Bob <b>"})
    assert '<span class="mention">@Bob &lt;b&gt;</span>' in html
    assert "@eve@example.org" in html and html.count("mention") == 1


def test_mentions_in_code_are_ignored():
    assert mentioned_emails("`@a@example.org` @b@example.org") == ["b@example.org"]
