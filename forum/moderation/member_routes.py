"""Members page and member detail for moderators, with the actions that keep membership current."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta

import sqlalchemy as sa
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from forum.auth.actions import ActionError
from forum.auth.models import Status
from forum.auth.models import User
from forum.auth.permissions import staff_required
from forum.auth.sessions import active_sessions
from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation import bp
from forum.moderation import members
from forum.moderation.forms import MemberFilterForm
from forum.moderation.forms import NoticeForm
from forum.moderation.forms import ReasonForm
from forum.moderation.forms import RoleForm
from forum.moderation.forms import SuspendForm
from forum.moderation.models import Suspension
from forum.moderation.reviews import departed_member_ids
from forum.moderation.rules import can_manage
from forum.security.audit import AuditEvent

PAGE_SIZE = 50


def inactive_cutoff() -> datetime:
    return utcnow() - timedelta(days=current_app.config.get("MEMBERS_INACTIVE_DAYS", 180))


def _filtered(form: MemberFilterForm) -> sa.Select:
    query = sa.select(User)
    if form.state.data:
        query = query.where(User.state_code == form.state.data)
    if form.authority.data:
        query = query.where(
            sa.func.lower(User.authority_name).like(f"%{form.authority.data.strip().lower()}%")
        )
    if form.role.data:
        query = query.where(User.role == form.role.data)
    if form.status.data:
        query = query.where(User.status == form.status.data)
    if form.seen.data == "never":
        query = query.where(User.last_seen_at.is_(None))
    elif form.seen.data == "inactive":
        query = query.where(
            sa.or_(User.last_seen_at < inactive_cutoff(), User.last_seen_at.is_(None)),
            User.status == Status.ACTIVE,
        )
    elif form.seen.data == "recent":
        query = query.where(User.last_seen_at >= utcnow() - timedelta(days=30))
    if form.two_factor.data == "yes":
        query = query.where(User.totp_enrolled_at.is_not(None))
    elif form.two_factor.data == "no":
        query = query.where(User.totp_enrolled_at.is_(None))
    return query


@bp.route("/members")
@staff_required
def members_list():
    form = MemberFilterForm(request.args)
    form.validate()
    page = max(request.args.get("page", 1, type=int), 1)
    rows = db.session.scalars(
        _filtered(form)
        .order_by(User.state_code, User.display_name, User.id)
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    ).all()
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "moderation/members.html",
        form=form,
        users=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        args=args,
        cutoff=inactive_cutoff(),
        departed=departed_member_ids(),
    )


def _load(user_id: int) -> User:
    return db.session.get(User, user_id) or abort(404)


def _render_detail(user: User, status: int = 200, **forms):
    context = {
        "suspend_form": SuspendForm(prefix="suspend"),
        "reactivate_form": ReasonForm(prefix="reactivate"),
        "role_form": RoleForm(prefix="role", role=user.role),
        "deactivate_form": ReasonForm(prefix="deactivate"),
        "notice_form": NoticeForm(prefix="notice"),
    }
    context.update(forms)
    history = db.session.scalars(
        sa.select(AuditEvent)
        .where(
            sa.or_(
                sa.and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id)),
                AuditEvent.actor_id == user.id,
            )
        )
        .order_by(AuditEvent.id.desc())
        .limit(50)
    ).all()
    suspensions = db.session.scalars(
        sa.select(Suspension).where(Suspension.user_id == user.id).order_by(Suspension.id.desc())
    ).all()
    return render_template(
        "moderation/member_detail.html",
        user=user,
        sessions=active_sessions(user),
        history=history,
        suspensions=suspensions,
        can_manage=can_manage(current_user, user),
        inactive=user.status == Status.ACTIVE
        and (user.last_seen_at is None or user.last_seen_at < inactive_cutoff()),
        departed=user.id in departed_member_ids(),
        **context,
    ), status


@bp.route("/members/<int:user_id>")
@staff_required
def member_detail(user_id: int):
    return _render_detail(_load(user_id))


def _act(user_id: int, form_name: str, form, action, done: str):
    user = _load(user_id)
    if not form.validate_on_submit():
        flash(_("Check the form: a reason is required."), "error")
        return _render_detail(user, 400, **{form_name: form})
    try:
        action(user, form)
    except ActionError as error:
        flash(error.message, "error")
        return _render_detail(user, error.status, **{form_name: form})
    flash(done, "info")
    return redirect(url_for("moderation.member_detail", user_id=user.id))


def _end_of_day(day) -> datetime | None:
    return datetime.combine(day, time.max, tzinfo=UTC) if day else None


@bp.route("/members/<int:user_id>/suspend", methods=["POST"])
@staff_required
def suspend_member(user_id: int):
    return _act(
        user_id,
        "suspend_form",
        SuspendForm(prefix="suspend"),
        lambda user, form: members.do_suspend(
            current_user, user, form.reason.data, _end_of_day(form.until.data)
        ),
        _("Suspended: all their sessions and connections have ended."),
    )


@bp.route("/members/<int:user_id>/reactivate", methods=["POST"])
@staff_required
def reactivate_member(user_id: int):
    return _act(
        user_id,
        "reactivate_form",
        ReasonForm(prefix="reactivate"),
        lambda user, form: members.do_reactivate(current_user, user, form.reason.data),
        _("Reactivated."),
    )


@bp.route("/members/<int:user_id>/role", methods=["POST"])
@staff_required
def change_member_role(user_id: int):
    return _act(
        user_id,
        "role_form",
        RoleForm(prefix="role"),
        lambda user, form: members.do_change_role(
            current_user, user, form.role.data, form.reason.data
        ),
        _("Role changed."),
    )


@bp.route("/members/<int:user_id>/deactivate", methods=["POST"])
@staff_required
def deactivate_member(user_id: int):
    user = _load(user_id)
    form = ReasonForm(prefix="deactivate")
    if not form.validate_on_submit():
        flash(_("Check the form: a reason is required."), "error")
        return _render_detail(user, 400, deactivate_form=form)
    try:
        members.do_deactivate(current_user, user, form.reason.data)
    except ActionError as error:
        flash(error.message, "error")
        return _render_detail(user, error.status, deactivate_form=form)
    return render_template(
        "moderation/deactivated.html", user=user, contacts=members.directory_contacts_for(user)
    )


@bp.route("/members/<int:user_id>/notice", methods=["POST"])
@staff_required
def send_member_notice(user_id: int):
    return _act(
        user_id,
        "notice_form",
        NoticeForm(prefix="notice"),
        lambda user, form: members.do_send_notice(
            current_user, user, form.subject.data, form.body.data, action="member.notice_sent"
        ),
        _("Notice sent."),
    )
