"""CSV and JSON exports of the visible directory, and vCards for contact persons."""

from __future__ import annotations

import csv
import io
import json

from forum.directory.models import ContactPerson
from forum.directory.models import Entry

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

ENTRY_COLUMNS = (
    "state_code",
    "state_name",
    "name",
    "designations",
    "designation_other",
    "postal_address",
    "phones",
    "fax",
    "emails",
    "website",
    "office_hours",
    "time_zone",
    "languages",
    "channels",
    "channel_other",
    "urgent_procedure",
    "contact_24_7",
    "e_signature_accepted",
    "encryption_required",
    "originals_required",
    "transmission_notes",
    "notes",
    "last_updated",
    "last_verified",
)


def neutralise(value: str) -> str:
    """Prefix a quote to any cell a spreadsheet would read as a formula."""
    value = str(value)
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def entry_record(entry: Entry, *, with_contacts: bool) -> dict:
    record = {
        "state_code": entry.state_code,
        "state_name": entry.state.name,
        "name": entry.name,
        "designations": entry.designations,
        "designation_other": entry.designation_other,
        "postal_address": entry.postal_address,
        "phones": entry.phone_list,
        "fax": entry.fax,
        "emails": entry.email_list,
        "website": entry.website,
        "office_hours": entry.office_hours,
        "time_zone": entry.time_zone,
        "languages": entry.languages,
        "channels": entry.channels,
        "channel_other": entry.channel_other,
        "urgent_procedure": entry.urgent_procedure,
        "contact_24_7": entry.contact_24_7,
        "e_signature_accepted": entry.e_signature_accepted,
        "encryption_required": entry.encryption_required,
        "originals_required": entry.originals_required,
        "transmission_notes": entry.transmission_notes,
        "notes": entry.notes,
        "last_updated": entry.last_updated_at.date().isoformat(),
        "last_verified": entry.last_verified_at.date().isoformat()
        if entry.last_verified_at
        else "",
    }
    if with_contacts:
        record["contacts"] = [
            {
                "name": c.name,
                "title": c.title,
                "phone": c.phone,
                "email": c.email,
                "languages": c.languages,
                "deputy": c.is_deputy,
            }
            for c in entry.contacts
        ]
    return record


def to_csv(entries: list[Entry], *, with_contacts: bool) -> str:
    columns = list(ENTRY_COLUMNS) + (["contacts"] if with_contacts else [])
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for entry in entries:
        record = entry_record(entry, with_contacts=with_contacts)
        if with_contacts:
            record["contacts"] = "; ".join(
                ", ".join(part for part in (c["name"], c["title"], c["email"], c["phone"]) if part)
                for c in record["contacts"]
            )
        row = []
        for column in columns:
            value = record[column]
            if isinstance(value, list):
                separator = " " if column in ("designations", "languages", "channels") else "\n"
                value = separator.join(value)
            row.append(neutralise(value))
        writer.writerow(row)
    return out.getvalue()


def to_json(entries: list[Entry], *, with_contacts: bool) -> str:
    return json.dumps(
        {"entries": [entry_record(e, with_contacts=with_contacts) for e in entries]},
        ensure_ascii=False,
        indent=1,
    )


def _vcard_escape(value: str) -> str:
    # Any line break (CRLF, or a lone CR a form let through) becomes "\n": a raw one would
    # end the property and let the rest of the value add properties of its own.
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def vcard(contact: ContactPerson) -> str:
    """A vCard 3.0 for one contact person (RFC 2426)."""
    entry = contact.entry
    lines = [
        "BEGIN:VCARD",
        "VERSION:3.0",
        f"FN:{_vcard_escape(contact.name)}",
        f"N:{_vcard_escape(contact.name)};;;;",
        f"ORG:{_vcard_escape(entry.name)}",
    ]
    if contact.title:
        lines.append(f"TITLE:{_vcard_escape(contact.title)}")
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK:{_vcard_escape(contact.phone)}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET:{_vcard_escape(contact.email)}")
    if entry.postal_address:
        lines.append(f"ADR;TYPE=WORK:;;{_vcard_escape(entry.postal_address)};;;;")
    lines.append(f"NOTE:{_vcard_escape(entry.state.name)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"
