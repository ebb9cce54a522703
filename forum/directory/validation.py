"""One home for the rules an entry, a contact person or a State profile must follow.

Used by the edit forms and by the bulk import alike; each returns clean data and a
{field: message} dict of problems, and writes nothing.
"""

from __future__ import annotations

import re
from datetime import date

import pycountry
from flask_babel import gettext as _

from forum.directory.vocab import CHANNELS
from forum.directory.vocab import DESIGNATIONS
from forum.directory.vocab import TREATY_KINDS
from forum.directory.vocab import is_language

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s<>\"]+$")
TEXT_LIMITS = {
    "name": 200,
    "designation_other": 200,
    "fax": 100,
    "website": 300,
    "office_hours": 200,
    "time_zone": 60,
    "channel_other": 200,
    "contact_24_7": 200,
}
LONG_TEXT = (
    "postal_address",
    "phones",
    "emails",
    "urgent_procedure",
    "transmission_notes",
    "notes",
)
YES_NO_FIELDS = ("e_signature_accepted", "encryption_required", "originals_required")
LONG_LIMIT = 5000


def code_list(value) -> list[str]:
    """Accept a list or a "en, fr es" string; return the codes, trimmed, in order, once each."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,;]+", str(value or ""))
    seen: list[str] = []
    for item in items:
        item = str(item).strip().lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def _text(raw: dict, name: str) -> str:
    value = raw.get(name)
    return "" if value is None else str(value).replace("\r\n", "\n").strip()


def clean_entry(raw: dict) -> tuple[dict, dict]:
    data: dict = {}
    errors: dict = {}
    for name, limit in TEXT_LIMITS.items():
        data[name] = _text(raw, name)
        if len(data[name]) > limit:
            errors[name] = _("At most %(count)d characters.", count=limit)
    for name in LONG_TEXT:
        data[name] = _text(raw, name)
        if len(data[name]) > LONG_LIMIT:
            errors[name] = _("At most %(count)d characters.", count=LONG_LIMIT)
    if not data["name"]:
        errors["name"] = _("The authority's name is required.")
    data["designations"] = code_list(raw.get("designations"))
    unknown = [code for code in data["designations"] if code not in DESIGNATIONS]
    if unknown:
        errors["designations"] = _("Unknown designation: %(codes)s.", codes=", ".join(unknown))
    elif not data["designations"]:
        errors["designations"] = _("Choose at least one designation.")
    elif "other" in data["designations"] and not data["designation_other"]:
        errors["designation_other"] = _("Describe the other designation.")
    data["channels"] = code_list(raw.get("channels"))
    unknown = [code for code in data["channels"] if code not in CHANNELS]
    if unknown:
        errors["channels"] = _("Unknown channel: %(codes)s.", codes=", ".join(unknown))
    elif "other" in data["channels"] and not data["channel_other"]:
        errors["channel_other"] = _("Describe the other channel.")
    data["languages"] = code_list(raw.get("languages"))
    unknown = [code for code in data["languages"] if not is_language(code)]
    if unknown:
        errors["languages"] = _(
            "Not an ISO 639-1 language code: %(codes)s.", codes=", ".join(unknown)
        )
    bad = [line for line in data["emails"].splitlines() if line and not EMAIL_RE.match(line)]
    if bad:
        errors["emails"] = _("Not an e-mail address: %(value)s.", value=bad[0])
    if data["website"] and not URL_RE.match(data["website"]):
        errors["website"] = _("The website must start with https:// or http://.")
    for name in YES_NO_FIELDS:
        data[name] = _text(raw, name).lower()
        if data[name] not in ("", "yes", "no"):
            errors[name] = _("Answer yes, no, or leave empty.")
    return data, errors


def clean_contact(raw: dict) -> tuple[dict, dict]:
    data = {name: _text(raw, name) for name in ("name", "title", "phone", "email")}
    errors: dict = {}
    limits = {"name": 120, "title": 200, "phone": 100, "email": 254}
    for name, limit in limits.items():
        if len(data[name]) > limit:
            errors[name] = _("At most %(count)d characters.", count=limit)
    if not data["name"]:
        errors["name"] = _("The contact person's name is required.")
    if data["email"] and not EMAIL_RE.match(data["email"]):
        errors["email"] = _("Not an e-mail address: %(value)s.", value=data["email"])
    data["email"] = data["email"].lower()
    data["languages"] = code_list(raw.get("languages"))
    unknown = [code for code in data["languages"] if not is_language(code)]
    if unknown:
        errors["languages"] = _(
            "Not an ISO 639-1 language code: %(codes)s.", codes=", ".join(unknown)
        )
    data["is_deputy"] = str(raw.get("is_deputy", "")).lower() in ("1", "true", "yes", "y", "on")
    return data, errors


def parse_treaties(text: str) -> tuple[list[dict], str | None]:
    """One per line: "Title | kind | partner codes | YYYY-MM-DD" (kind and date optional)."""
    treaties = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        parts += [""] * (4 - len(parts))
        title, kind, partners, when = parts[:4]
        kind = kind.lower() or "bilateral"
        codes = [code.upper() for code in code_list(partners)]
        if not title or len(title) > 300:
            return [], _("Line %(n)d: a title (up to 300 characters) is required.", n=number)
        if kind not in TREATY_KINDS:
            return [], _(
                "Line %(n)d: the kind must be one of %(kinds)s.",
                n=number,
                kinds=", ".join(TREATY_KINDS),
            )
        unknown = [code for code in codes if pycountry.countries.get(alpha_2=code) is None]
        if unknown:
            return [], _(
                "Line %(n)d: not an ISO 3166 code: %(codes)s.", n=number, codes=", ".join(unknown)
            )
        if when:
            try:
                date.fromisoformat(when)
            except ValueError:
                return [], _("Line %(n)d: write the date as YYYY-MM-DD.", n=number)
        treaties.append({"title": title, "kind": kind, "partners": codes, "date": when})
    return treaties, None


def treaties_text(treaties: list[dict]) -> str:
    return "\n".join(
        " | ".join([t["title"], t["kind"], " ".join(t["partners"]), t.get("date", "")])
        for t in treaties
    )


def clean_links(text: str) -> tuple[str, str | None]:
    lines = []
    for number, line in enumerate(text.replace("\r\n", "\n").splitlines(), start=1):
        if not line.strip():
            continue
        url = line.rpartition("|")[2].strip()
        if not URL_RE.match(url):
            return "", _("Line %(n)d: end the line with an https:// address.", n=number)
        lines.append(line.strip())
    return "\n".join(lines), None
