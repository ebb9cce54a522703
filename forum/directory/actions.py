"""Directory business rules: ``check_*`` validate, ``do_*`` change, record a revision and audit.

Each ``do_*`` commits once, with its revision and its audit row, so a change is never
half-written; a refused change writes nothing.
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.auth.models import Status
from forum.auth.models import User
from forum.db_types import utcnow
from forum.directory import revisions
from forum.directory import validation
from forum.directory.models import ContactPerson
from forum.directory.models import Entry
from forum.directory.models import Revision
from forum.directory.models import State
from forum.directory.policy import can_edit_state
from forum.extensions import db
from forum.security import audit

__all__ = ["ActionError"]


class ValidationFailed(ActionError):
    """Input broke a rule; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict):
        super().__init__(next(iter(errors.values())), status=400)
        self.errors = errors


def check_can_edit(actor, state: State) -> None:
    if not can_edit_state(actor, state):
        raise ActionError("forbidden", status=403)


def check_entry(raw: dict) -> dict:
    data, errors = validation.clean_entry(raw)
    if errors:
        raise ValidationFailed(errors)
    return data


def check_contact(raw: dict) -> dict:
    data, errors = validation.clean_contact(raw)
    if errors:
        raise ValidationFailed(errors)
    return data


def _touch(state: State, entry: Entry | None = None) -> None:
    now = utcnow()
    state.last_updated_at = now
    if entry is not None:
        entry.last_updated_at = now


def _apply_entry_data(entry: Entry, data: dict) -> None:
    for name, value in data.items():
        setattr(entry, name, value)
    entry.refresh_search_text()


def do_create_entry(actor, state: State, raw: dict, *, is_demo: bool = False) -> Entry:
    check_can_edit(actor, state)
    data = check_entry(raw)
    entry = Entry(state_code=state.code, is_demo=is_demo)
    _apply_entry_data(entry, data)
    db.session.add(entry)
    _touch(state, entry)
    db.session.flush()
    revisions.record(
        actor=actor,
        state_code=state.code,
        entry=entry,
        action="create",
        snapshot=revisions.entry_snapshot(entry),
        before=None,
    )
    audit.record("directory.entry_created", actor=actor, target=entry, state=state.code)
    db.session.commit()
    return entry


def _save_entry_change(actor, entry: Entry, before: dict, action: str, **details) -> bool:
    """Record the revision and audit row for a change already applied; False if nothing changed."""
    db.session.flush()
    revision = revisions.record(
        actor=actor,
        state_code=entry.state_code,
        entry=entry,
        action=action,
        snapshot=revisions.entry_snapshot(entry),
        before=before,
        restored_from=details.pop("restored_from", None),
    )
    if revision is None:
        db.session.rollback()
        return False
    _touch(entry.state, entry)
    audit.record(
        f"directory.entry_{action}d" if action != "update" else "directory.entry_updated",
        actor=actor,
        target=entry,
        state=entry.state_code,
        fields=[change[0] for change in revision.changes],
        **details,
    )
    db.session.commit()
    return True


def do_update_entry(actor, entry: Entry, raw: dict) -> bool:
    check_can_edit(actor, entry.state)
    data = check_entry(raw)
    before = revisions.entry_snapshot(entry)
    _apply_entry_data(entry, data)
    return _save_entry_change(actor, entry, before, "update")


def do_delete_entry(actor, entry: Entry) -> None:
    check_can_edit(actor, entry.state)
    before = revisions.entry_snapshot(entry)
    entry.deleted_at = utcnow()
    _save_entry_change(actor, entry, before, "delete")


def _linked_account(email: str) -> int | None:
    """The member account with this e-mail, when there is one."""
    if not email:
        return None
    return db.session.scalar(
        sa.select(User.id).where(User.email == email, User.status == Status.ACTIVE)
    )


def do_save_contact(actor, entry: Entry, contact: ContactPerson | None, raw: dict) -> bool:
    check_can_edit(actor, entry.state)
    data = check_contact(raw)
    data["user_id"] = _linked_account(data["email"])
    before = revisions.entry_snapshot(entry)
    if contact is None:
        contact = ContactPerson()
        entry.contacts.append(contact)
    for name, value in data.items():
        setattr(contact, name, value)
    return _save_entry_change(actor, entry, before, "update")


def do_delete_contact(actor, contact: ContactPerson) -> None:
    entry = contact.entry
    check_can_edit(actor, entry.state)
    before = revisions.entry_snapshot(entry)
    entry.contacts.remove(contact)
    _save_entry_change(actor, entry, before, "update")


def check_profile(raw: dict) -> dict:
    errors = {}
    data = {}
    for name in ("mla_requirements", "extradition_requirements"):
        data[name] = (raw.get(name) or "").replace("\r\n", "\n").strip()
        if len(data[name]) > validation.LONG_LIMIT:
            errors[name] = _("At most %(count)d characters.", count=validation.LONG_LIMIT)
    for name in ("convention_basis_mla", "convention_basis_extradition"):
        data[name] = raw.get(name) or ""
        if data[name] not in ("", "yes", "no"):
            errors[name] = _("Answer yes, no, or leave empty.")
    data["law_links"], problem = validation.clean_links(raw.get("law_links") or "")
    if problem:
        errors["law_links"] = problem
    treaties, problem = validation.parse_treaties(raw.get("treaties") or "")
    if problem:
        errors["treaties"] = problem
    data["treaties_json"] = json.dumps(treaties)
    if errors:
        raise ValidationFailed(errors)
    return data


def _save_profile_change(actor, state: State, before: dict, action: str, **details) -> bool:
    db.session.flush()
    revision = revisions.record(
        actor=actor,
        state_code=state.code,
        entry=None,
        action=action,
        snapshot=revisions.profile_snapshot(state),
        before=before,
        restored_from=details.pop("restored_from", None),
    )
    if revision is None:
        db.session.rollback()
        return False
    _touch(state)
    audit.record(
        "directory.profile_" + ("updated" if action == "update" else action + "d"),
        actor=actor,
        target_type="state",
        target_id=state.code,
        fields=[change[0] for change in revision.changes],
        **details,
    )
    db.session.commit()
    return True


def do_update_profile(actor, state: State, raw: dict) -> bool:
    check_can_edit(actor, state)
    data = check_profile(raw)
    before = revisions.profile_snapshot(state)
    for name, value in data.items():
        setattr(state, name, value)
    return _save_profile_change(actor, state, before, "update")


def do_set_visibility(actor, state: State, visibility: str) -> bool:
    check_can_edit(actor, state)
    if visibility not in ("public", "members"):
        raise ActionError("visibility", status=400)
    before = revisions.profile_snapshot(state)
    state.visibility = visibility
    return _save_profile_change(actor, state, before, "update")


def do_verify(actor, state: State, entry: Entry | None = None) -> None:
    """ "Confirm unchanged": the data was checked and is still right; nothing is edited."""
    check_can_edit(actor, state)
    now = utcnow()
    if entry is None:
        state.last_verified_at = now
        for live in db.session.scalars(
            sa.select(Entry).where(Entry.state_code == state.code, Entry.deleted_at.is_(None))
        ):
            live.last_verified_at = now
    else:
        entry.last_verified_at = now
    audit.record(
        "directory.verified",
        actor=actor,
        target_type="entry" if entry else "state",
        target_id=entry.id if entry else state.code,
        state=state.code,
    )
    db.session.commit()


def do_restore(actor, revision: Revision) -> bool:
    """Write a revision's snapshot back; the restore is a new revision."""
    state = db.session.get(State, revision.state_code)
    check_can_edit(actor, state)
    snapshot = revision.snapshot
    if revision.entry_id is None:
        before = revisions.profile_snapshot(state)
        revisions.apply_profile_snapshot(state, snapshot)
        return _save_profile_change(
            actor, state, before, "restore", restored_from=revision, revision=revision.id
        )
    entry = revision.entry
    before = revisions.entry_snapshot(entry)
    revisions.apply_entry_snapshot(entry, snapshot)
    entry.deleted_at = (entry.deleted_at or utcnow()) if snapshot.get("deleted") else None
    return _save_entry_change(
        actor, entry, before, "restore", restored_from=revision, revision=revision.id
    )


def contacts_for_user(user) -> list[str]:
    """The live entries naming ``user`` as a contact person, as "entry (State): name" lines.

    Moderation shows these when a member leaves, so their contact roles are handed over.
    """
    rows = db.session.execute(
        sa.select(ContactPerson.name, Entry.name, State.name)
        .join(Entry, ContactPerson.entry_id == Entry.id)
        .join(State, Entry.state_code == State.code)
        .where(ContactPerson.user_id == user.id, Entry.deleted_at.is_(None))
        .order_by(State.name, Entry.name)
    ).all()
    return [f"{entry} ({state}): {person}" for person, entry, state in rows]
