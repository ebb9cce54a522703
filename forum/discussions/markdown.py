"""Discussion posts' Markdown: the shared renderer and policy plus @mentions.

Rendering and sanitising are :mod:`forum.security.sanitize` (the same rule as chat); this
module adds mentions, written ``@name@example.org`` (the member's e-mail address, which the
browser's autocomplete inserts) and rendered as ``<span class="mention">@Display Name</span>``.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import escape

from forum.security.sanitize import PARSER
from forum.security.sanitize import new_parser
from forum.security.sanitize import render_markdown

MENTION = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
MAX_MENTIONS = 20


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


def _parser(names: dict[str, str] | None = None) -> MarkdownIt:
    if not names:
        return PARSER
    md = new_parser()
    md.core.ruler.push("mentions", _mention_rule(names))
    md.add_render_rule("mention", _render_mention)
    return md


def render(source: str, mentions: dict[str, str] | None = None) -> str:
    """Safe HTML for ``source``; ``mentions`` maps resolved addresses to display names."""
    return render_markdown(source, _parser(mentions))
