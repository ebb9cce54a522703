"""Revisions: a snapshot of the record after each change, and the field-level diff.

Snapshots hold plain JSON values, so any revision can be restored by writing its
snapshot back; the restore is itself a new revision.
"""

from __future__ import annotations

import json

from flask_babel import lazy_gettext as _l

from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import Revision
from forum.directory.models import State
from forum.extensions import db

ENTRY_FIELDS = {
    "name": _l("Name"),
    "designations": _l("Designations"),
    "designation_other": _l("Other designation"),
    "postal_address": _l("Postal address"),
    "phones": _l("Phones"),
    "fax": _l("Fax"),
    "emails": _l("E-mails"),
    "website": _l("Website"),
    "office_hours": _l("Office hours"),
    "time_zone": _l("Time zone"),
    "languages": _l("Languages accepted"),
    "channels": _l("Channels accepted"),
    "channel_other": _l("Other channel"),
    "urgent_procedure": _l("Urgent requests"),
    "contact_24_7": _l("24/7 contact"),
    "e_signature_accepted": _l("Electronic signature accepted"),
    "encryption_required": _l("Encryption required"),
    "originals_required": _l("Originals required"),
    "transmission_notes": _l("Electronic transmission"),
    "notes": _l("Notes"),
}
CONTACT_FIELDS = ("name", "title", "phone", "email", "languages", "is_deputy", "user_id")
PROFILE_FIELDS = {
    "mla_requirements": _l("Requirements for mutual legal assistance"),
    "extradition_requirements": _l("Requirements for extradition"),
    "convention_basis_mla": _l("Convention as legal basis for mutual legal assistance"),
    "convention_basis_extradition": _l("Convention as legal basis for extradition"),
    "law_links": _l("National laws and websites"),
    "treaties": _l("Treaties and arrangements"),
    "visibility": _l("Visibility"),
}
FIELD_LABELS = {**ENTRY_FIELDS, **PROFILE_FIELDS, "contacts": _l("Contact persons")}


def entry_snapshot(entry: Entry) -> dict:
    data = {name: getattr(entry, name) for name in ENTRY_FIELDS}
    data["contacts"] = [
        {name: getattr(contact, name) for name in CONTACT_FIELDS} for contact in entry.contacts
    ]
    data["deleted"] = entry.deleted_at is not None
    return data


def profile_snapshot(state: State) -> dict:
    data = {name: getattr(state, name) for name in PROFILE_FIELDS if name != "treaties"}
    data["treaties"] = state.treaties
    return data


def diff(old: dict | None, new: dict) -> list[list]:
    """[[field, old, new], …] for every field whose value differs."""
    old = old or {}
    return [
        [key, old.get(key), value]
        for key, value in new.items()
        if old.get(key) != value and not (key not in old and value in ("", [], False, None))
    ]


def record(
    *,
    actor,
    state_code: str,
    entry: Entry | None,
    action: str,
    snapshot: dict,
    before: dict | None,
    restored_from: Revision | None = None,
) -> Revision | None:
    """Add a revision unless nothing changed; returns it (or None)."""
    changes = diff(before, snapshot)
    if not changes and action == "update":
        return None
    revision = Revision(
        state_code=state_code,
        entry_id=entry.id if entry else None,
        actor_id=getattr(actor, "id", None),
        action=action,
        snapshot_json=json.dumps(snapshot, sort_keys=True),
        changes_json=json.dumps(changes),
        restored_from_id=restored_from.id if restored_from else None,
    )
    db.session.add(revision)
    return revision


def apply_entry_snapshot(entry: Entry, snapshot: dict) -> None:
    for name in ENTRY_FIELDS:
        if name in snapshot:
            setattr(entry, name, snapshot[name])
    entry.contacts.clear()
    for data in snapshot.get("contacts", []):
        entry.contacts.append(ContactPerson(**{k: data.get(k) for k in CONTACT_FIELDS}))
    entry.refresh_search_text()


def apply_profile_snapshot(state: State, snapshot: dict) -> None:
    for name in PROFILE_FIELDS:
        if name == "treaties":
            state.treaties_json = json.dumps(snapshot.get("treaties", []))
        elif name in snapshot:
            setattr(state, name, snapshot[name])
