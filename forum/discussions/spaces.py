"""Private spaces: created by moderators, members added by moderators or the space's owners."""

from __future__ import annotations

import re
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from forum.auth.actions import ActionError
from forum.auth.actions import find_user_by_email
from forum.auth.models import Status
from forum.discussions.models import Category
from forum.discussions.models import Space
from forum.discussions.models import SpaceMember
from forum.discussions.models import SpaceRole
from forum.discussions.permissions import can_manage_space
from forum.extensions import db
from forum.security import audit


def do_create_space(moderator, name: str, description: str = "", ends_at: datetime | None = None):
    if not moderator.is_staff:
        raise ActionError(_("Only moderators can create spaces."), 403)
    name = " ".join((name or "").split())
    if not name:
        raise ActionError(_("Give the space a name."))
    space = Space(
        name=name[:120],
        description=(description or "").strip()[:500],
        created_by_id=moderator.id,
        ends_at=ends_at,
    )
    db.session.add(space)
    db.session.flush()
    audit.record("discussions.space_created", actor=moderator, target=space, ends_at=ends_at)
    db.session.commit()
    return space


def do_set_space_end(moderator, space: Space, ends_at: datetime | None) -> None:
    if not moderator.is_staff:
        raise ActionError(_("Only moderators can change a space's end date."), 403)
    space.ends_at = ends_at
    audit.record("discussions.space_end_set", actor=moderator, target=space, ends_at=ends_at)
    db.session.commit()


def do_add_space_member(actor, space: Space, email: str, role: str = SpaceRole.MEMBER):
    if not can_manage_space(actor, space):
        raise ActionError(_("You cannot manage this space."), 403)
    role = SpaceRole(role).value
    if role == SpaceRole.OWNER and not actor.is_staff:
        raise ActionError(_("Only moderators can name owners."), 403)
    user = find_user_by_email(email or "")
    if user is None or user.status != Status.ACTIVE:
        raise ActionError(_("No active member has this e-mail address."))
    existing = db.session.scalar(
        sa.select(SpaceMember).where(
            SpaceMember.space_id == space.id, SpaceMember.user_id == user.id
        )
    )
    if existing is not None:
        if existing.role == SpaceRole.OWNER and not actor.is_staff:
            # Re-adding an owner as a member would demote them: only moderators may.
            raise ActionError(_("Only moderators can remove owners."), 403)
        if existing.role == role:
            raise ActionError(_("This person is already a member."), 409)
        existing.role = role
        member = existing
    else:
        member = SpaceMember(space_id=space.id, user_id=user.id, role=role, added_by_id=actor.id)
        db.session.add(member)
    audit.record(
        "discussions.space_member_added", actor=actor, target=space, user_id=user.id, role=role
    )
    db.session.commit()
    return member


def do_remove_space_member(actor, space: Space, member: SpaceMember) -> None:
    if not can_manage_space(actor, space) or member.space_id != space.id:
        raise ActionError(_("You cannot manage this space."), 403)
    if member.role == SpaceRole.OWNER and not actor.is_staff:
        raise ActionError(_("Only moderators can remove owners."), 403)
    user_id = member.user_id
    db.session.delete(member)
    audit.record("discussions.space_member_removed", actor=actor, target=space, user_id=user_id)
    db.session.commit()


_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def do_save_category(admin, category: Category | None, slug, name, description, position):
    if not admin.is_admin:
        raise ActionError(_("Only administrators manage categories."), 403)
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug):
        raise ActionError(_("Use lower-case letters, digits and hyphens for the short name."))
    clash = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if clash is not None and clash is not category:
        raise ActionError(_("Another category uses this short name."), 409)
    if category is None:
        category = Category()
        db.session.add(category)
    category.slug = slug
    category.name = " ".join((name or "").split())[:120] or slug
    category.description = (description or "").strip()[:500]
    category.position = position or 0
    db.session.flush()
    audit.record("discussions.category_saved", actor=admin, target=category, slug=slug)
    db.session.commit()
    return category
