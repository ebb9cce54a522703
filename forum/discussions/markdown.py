"""Markdown to safe HTML, once, at write time; and @mentions found in the source.

markdown-it-py (CommonMark, raw HTML disabled) renders; nh3 then keeps only a short list of
tags and attributes, forces ``rel="nofollow noopener noreferrer"`` on links, allows only
http(s)/mailto and relative URLs, and drops images that are not our own attachments (an
external image would tell a third party who read the post, and when).

Mentions are written ``@name@example.org`` (the member's e-mail address, which the browser's
autocomplete inserts); they render as ``<span class="mention">@Display Name</span>``.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape

MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
LOCAL_IMAGE_PREFIX = "/discussions/attachments/"
MAX_MENTIONS = 20

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


def mentioned_emails(source: str) -> list[str]:
    """Distinct addresses mentioned outside code, lower-cased, in order, at most 20."""
    found: list[str] = []
    for token in _parser().parse(source or ""):
        for child in token.children or []:
            if child.type != "text":
                continue
            for match in MENTION.finditer(child.content):
                email = match.group(1).lower().rstrip(".")
                if email not in found:
                    found.append(email)
    return found[:MAX_MENTIONS]


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        return value if value.startswith(LOCAL_IMAGE_PREFIX) else None
    if tag == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[\w+-]{1,30}", value) else None
    if tag == "span" and attribute == "class":
        return value if value == "mention" else None
    return value


def _mention_rule(names: dict[str, str]):
    """A core rule turning @address in text tokens into mention tokens (not inside code)."""

    def rule(state) -> None:
        for block in state.tokens:
            if block.type != "inline" or not block.children:
                continue
            children: list[Token] = []
            for child in block.children:
                if child.type != "text" or "@" not in child.content:
                    children.append(child)
                    continue
                position = 0
                for match in MENTION.finditer(child.content):
                    email = match.group(1).lower().rstrip(".")
                    if email not in names:
                        continue
                    before = Token("text", "", 0, content=child.content[position : match.start()])
                    mention = Token("mention", "", 0, content=names[email])
                    children.extend([before, mention])
                    position = match.start() + 1 + len(email)
                children.append(Token("text", "", 0, content=child.content[position:]))
            block.children = children

    return rule


def _render_mention(self, tokens, idx, options, env) -> str:
    return f'<span class="mention">@{escape(tokens[idx].content)}</span>'


def _new_parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


# Parsing keeps no state between calls, so the common case (no mentions) shares one parser
# instead of building one per post.
_PLAIN_PARSER = _new_parser()


def _parser(names: dict[str, str] | None = None) -> MarkdownIt:
    if not names:
        return _PLAIN_PARSER
    md = _new_parser()
    md.core.ruler.push("mentions", _mention_rule(names))
    md.add_render_rule("mention", _render_mention)
    return md


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


def render(source: str, mentions: dict[str, str] | None = None) -> str:
    """Safe HTML for ``source``; ``mentions`` maps resolved addresses to display names."""
    return sanitise(_parser(mentions).render(source or ""))
