"""Markdown to safe HTML: the one rule for everything members write (posts and chat messages).

markdown-it-py (CommonMark, raw HTML disabled, no tables) renders; nh3 then keeps only a short
list of tags and attributes, forces ``rel="nofollow noopener noreferrer"`` on links, allows
only http(s)/mailto and relative URLs, and drops images that are not our own attachments (an
external image would tell a third party who read the text, and when). Sanitising after
rendering means a renderer bug cannot become stored XSS.

Areas extend the parser, never the policy: discussions add @mentions as a core rule whose
output (``<span class="mention">``) the policy already allows.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

LOCAL_IMAGE_PREFIX = "/discussions/attachments/"

ALLOWED_TAGS = set(
    "a blockquote br code em h1 h2 h3 h4 h5 h6 hr img li ol p pre span strong ul".split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "code": {"class"},
    "span": {"class"},
}
_LANGUAGE = re.compile(r"language-[\w+-]{1,30}")


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(LOCAL_IMAGE_PREFIX) else None
    if tag == "code" and attribute == "class":
        return value if _LANGUAGE.fullmatch(value) else None
    if tag == "span" and attribute == "class":
        return value if value == "mention" else None
    return value


def new_parser() -> MarkdownIt:
    """A parser with the shared configuration, for an area to add its own rules to."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


# Parsing keeps no state between calls: one parser serves every render without extra rules.
PARSER = new_parser()


def sanitise(dirty_html: str) -> str:
    return nh3.clean(
        dirty_html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str, parser: MarkdownIt | None = None) -> str:
    """Safe HTML for member-written Markdown (a plain ``str``; mark it safe to show it)."""
    return sanitise((parser or PARSER).render(source or ""))
