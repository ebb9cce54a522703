"""Who may do what in membership and moderation: predicates for views and actions."""

from __future__ import annotations

from forum.auth.models import Role
from forum.auth.models import Status
from forum.security.access import require


def is_staff_or_focal_point(user) -> bool:
    return user.role in (Role.MODERATOR, Role.ADMIN, Role.FOCAL_POINT)


def is_focal_point_of(user, state_code: str | None) -> bool:
    return (
        user.role == Role.FOCAL_POINT
        and user.status == Status.ACTIVE
        and state_code is not None
        and user.state_code == state_code
    )


def can_manage(actor, target) -> bool:
    """Moderators act on members and focal points; only admins act on staff; nobody on self."""
    if actor.id == target.id or not actor.is_staff:
        return False
    return actor.is_admin or not target.is_staff


# Roles each staff role may hand out through a role change.
GRANTABLE_ROLES = {
    Role.ADMIN: set(Role),
    Role.MODERATOR: {Role.MEMBER, Role.FOCAL_POINT},
}

vetting_required = require(is_staff_or_focal_point)
