"""Who edits what, revisions with field-level diffs, restore, "Confirm unchanged", audit.

A focal point edits their own State and gets 403 on another; moderators edit every State;
members edit nothing. Every change is a revision that can be restored; bad input is a 400
that keeps the draft and writes nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from forum.auth.models import Role
from forum.directory.models import Entry
from forum.directory.models import Revision
from forum.directory.models import State
from forum.extensions import db
from tests.auth.helpers import audit_actions
from tests.directory.conftest import PUBLIC
from tests.directory.conftest import RESTRICTED
from tests.factories import make_user

ENTRY_FORM = {
    "name": "Ministry of Justice — Mutual Assistance Office",
    "designations": ["untoc_mla", "uncac_mla"],
    "languages": "fr en es",
    "channels": ["direct", "diplomatic"],
    "emails": "entraide@justice.example.org",
    "website": "https://justice.example.org/",
    "e_signature_accepted": "yes",
    "encryption_required": "",
    "originals_required": "no",
}


def revisions_of(entry_id: int) -> list[Revision]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Revision).where(Revision.entry_id == entry_id).order_by(Revision.id)
        )
    )


def test_focal_point_edits_own_state_and_gets_403_on_another(client, auth, focal_point, states):
    auth.login(focal_point)
    entry = states["public"]
    assert client.get(f"/directory/entries/{entry.id}/edit").status_code == 200
    answer = client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM)
    assert answer.status_code == 302
    other = states["restricted"]
    assert client.get(f"/directory/entries/{other.id}/edit").status_code == 403
    assert client.post(f"/directory/entries/{other.id}/edit", data=ENTRY_FORM).status_code == 403
    assert client.post(f"/directory/{RESTRICTED}/entries/new", data=ENTRY_FORM).status_code == 403
    assert client.post(f"/directory/{RESTRICTED}/profile", data={}).status_code == 403
    assert client.post(f"/directory/{RESTRICTED}/verify").status_code == 403
    assert client.post(f"/directory/entries/{other.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Entry, other.id).deleted_at is None


def test_members_edit_nothing_and_moderators_edit_every_state(client, auth, member, states):
    auth.login(member)
    entry = states["public"]
    assert client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM).status_code == 403
    assert client.post(f"/directory/{PUBLIC}/entries/new", data=ENTRY_FORM).status_code == 403
    auth.logout()
    moderator = make_user(role=Role.MODERATOR, state_code=None)
    auth.login(moderator)
    answer = client.post(f"/directory/{RESTRICTED}/entries/new", data=ENTRY_FORM)
    assert answer.status_code == 302


def test_an_edit_is_a_revision_with_a_field_diff_shown_in_the_history(
    client, auth, focal_point, states
):
    auth.login(focal_point)
    entry = states["public"]
    client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM)
    changed = dict(ENTRY_FORM, emails="new.desk@justice.example.org")
    client.post(f"/directory/entries/{entry.id}/edit", data=changed)
    revisions = revisions_of(entry.id)
    assert [r.action for r in revisions] == ["update", "update"]
    assert revisions[-1].actor_id == focal_point.id
    assert revisions[-1].changes == [
        ["emails", "entraide@justice.example.org", "new.desk@justice.example.org"]
    ]
    history = client.get(f"/directory/{PUBLIC}/history")
    assert history.status_code == 200
    assert "new.desk@justice.example.org" in history.text
    assert "E-mails" in history.text
    assert audit_actions().count("directory.entry_updated") == 2
    # Saving the same data again records nothing.
    client.post(f"/directory/entries/{entry.id}/edit", data=changed)
    assert len(revisions_of(entry.id)) == 2


def test_any_revision_can_be_restored(client, auth, focal_point, states):
    auth.login(focal_point)
    entry = states["public"]
    client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM)
    client.post(
        f"/directory/entries/{entry.id}/edit", data=dict(ENTRY_FORM, name="Wrong office name")
    )
    first = revisions_of(entry.id)[0]
    assert client.post(f"/directory/revisions/{first.id}/restore").status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).name == ENTRY_FORM["name"]
    last = revisions_of(entry.id)[-1]
    assert last.action == "restore"
    assert last.restored_from_id == first.id
    assert last.changes == [["name", "Wrong office name", ENTRY_FORM["name"]]]
    assert "directory.entry_restored" in audit_actions()


def test_a_deleted_entry_is_restored_from_its_history(client, auth, focal_point, states):
    auth.login(focal_point)
    entry = states["public"]
    client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM)
    before_delete = revisions_of(entry.id)[-1]
    client.post(f"/directory/entries/{entry.id}/delete")
    assert ENTRY_FORM["name"] not in client.get(f"/directory/{PUBLIC}").text
    client.post(f"/directory/revisions/{before_delete.id}/restore")
    assert ENTRY_FORM["name"] in client.get(f"/directory/{PUBLIC}").text


def test_contacts_are_part_of_the_entry_revisions(client, auth, focal_point, states):
    auth.login(focal_point)
    entry = states["public"]
    answer = client.post(
        f"/directory/entries/{entry.id}/contacts/new",
        data={"name": "Jean Martin", "email": focal_point.email, "languages": "fr"},
    )
    assert answer.status_code == 302
    db.session.expire_all()
    contact = [c for c in db.session.get(Entry, entry.id).contacts if c.name == "Jean Martin"][0]
    # Linked to the member account with that e-mail.
    assert contact.user_id == focal_point.id
    assert revisions_of(entry.id)[-1].changes[0][0] == "contacts"


def test_bad_input_is_a_400_that_keeps_the_draft_and_writes_nothing(
    client, auth, focal_point, states
):
    auth.login(focal_point)
    entry = states["public"]
    bad = dict(ENTRY_FORM, name="Kept draft name", languages="fr xx", website="javascript:x")
    answer = client.post(f"/directory/entries/{entry.id}/edit", data=bad)
    assert answer.status_code == 400
    assert "Kept draft name" in answer.text
    assert "Not an ISO 639-1 language code: xx." in answer.text
    assert "The website must start with https:// or http://." in answer.text
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).name != "Kept draft name"
    assert revisions_of(entry.id) == []


def test_confirm_unchanged_records_a_verification_without_editing(
    client, auth, focal_point, states
):
    auth.login(focal_point)
    state = db.session.get(State, PUBLIC)
    assert state.last_verified_at is None
    assert client.post(f"/directory/{PUBLIC}/verify").status_code == 302
    db.session.expire_all()
    state = db.session.get(State, PUBLIC)
    assert state.last_verified_at is not None
    assert db.session.get(Entry, states["public"].id).last_verified_at is not None
    assert revisions_of(states["public"].id) == []
    assert "directory.verified" in audit_actions()
    assert "Last verified" in client.get(f"/directory/{PUBLIC}").text


def test_profile_and_visibility_are_revisions_too(client, auth, focal_point, states):
    auth.login(focal_point)
    answer = client.post(
        f"/directory/{PUBLIC}/profile",
        data={
            "mla_requirements": "Requests in French or with a translation.",
            "convention_basis_mla": "yes",
            "convention_basis_extradition": "no",
            "law_links": "Code of Criminal Procedure | https://law.example.org/cpp",
            "treaties": "Bilateral MLA treaty | bilateral | MX | 2005-01-12",
        },
    )
    assert answer.status_code == 302
    assert (
        client.post(f"/directory/{PUBLIC}/visibility", data={"visibility": "members"}).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(State, PUBLIC).visibility == "members"
    profile = list(db.session.scalars(sa.select(Revision).where(Revision.entry_id.is_(None))))
    assert [r.changes[0][0] for r in profile][-1] == "visibility"
    bad = client.post(f"/directory/{PUBLIC}/profile", data={"treaties": "Treaty | bilateral | ZZ"})
    assert bad.status_code == 400
    assert "not an ISO 3166 code: ZZ" in bad.text, bad.text


def test_every_directory_page_renders_for_an_administrator(client, auth, admin_user, states):
    entry = states["public"]
    contact = entry.contacts[0]
    auth.login(admin_user)
    client.post(f"/directory/entries/{entry.id}/edit", data=ENTRY_FORM)
    pages = [
        "/directory/",
        f"/directory/{PUBLIC}",
        f"/directory/{PUBLIC}/entries/new",
        f"/directory/entries/{entry.id}/edit",
        f"/directory/entries/{entry.id}/contacts/new",
        f"/directory/contacts/{contact.id}/edit",
        f"/directory/{PUBLIC}/profile",
        f"/directory/{PUBLIC}/history",
        f"/directory/{PUBLIC}/history?entry={entry.id}",
        "/directory/route?state=FR&measure=mla",
        "/directory/staleness",
        "/directory/import",
        "/directory/resources",
        "/directory/resources/new",
    ]
    assert {page: client.get(page).status_code for page in pages} == {page: 200 for page in pages}


def test_moderation_finds_the_contact_roles_of_a_member(focal_point, states):
    from forum.directory.actions import contacts_for_user
    from forum.moderation.members import directory_contacts_for

    assert contacts_for_user(focal_point) == []
    contact = states["public"].contacts[0]
    contact.user_id = focal_point.id
    db.session.commit()
    expected = [f"{states['public'].name} (France): {contact.name}"]
    assert contacts_for_user(focal_point) == expected
    assert directory_contacts_for(focal_point) == expected
