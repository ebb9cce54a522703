"""Template filters for directory pages: dates, language names, revision values."""

from __future__ import annotations

from flask_babel import gettext as _

from forum.directory import bp
from forum.directory.vocab import language_name


@bp.app_template_filter("directory_date")
def directory_date(value) -> str:
    """ISO 8601 (2026-05-31): unambiguous in every language, and cheap on long lists."""
    return value.date().isoformat() if value else ""


@bp.app_template_filter("directory_language")
def directory_language(code: str) -> str:
    return language_name(code)


@bp.app_template_filter("directory_value")
def directory_value(value, field: str = "") -> str:
    """A revision's stored value as readable text (lists one per line, contacts summarised)."""
    if value is None or value == "" or value == []:
        return "—"
    if field == "contacts":
        return "\n".join(
            ", ".join(str(c.get(k)) for k in ("name", "title", "email", "phone") if c.get(k))
            + (" (" + _("deputy") + ")" if c.get("is_deputy") else "")
            for c in value
        )
    if field == "treaties":
        return "\n".join(
            f"{t['title']} — {' '.join(t['partners'])} {t.get('date', '')}" for t in value
        )
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
