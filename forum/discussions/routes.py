"""Reading and writing threads: lists, the thread page, replies, edits, history, downloads."""

from __future__ import annotations

import difflib

import pycountry
import sqlalchemy as sa
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from forum.auth.actions import ActionError
from forum.auth.models import User
from forum.discussions import actions
from forum.discussions import bp
from forum.discussions import fragments
from forum.discussions import queries
from forum.discussions.attachments import send_attachment
from forum.discussions.forms import COOPERATION_TYPES
from forum.discussions.forms import LEGAL_BASES
from forum.discussions.forms import OUTCOMES
from forum.discussions.forms import EditPostForm
from forum.discussions.forms import ReplyForm
from forum.discussions.forms import ThreadForm
from forum.discussions.forms import state_choices
from forum.discussions.models import Attachment
from forum.discussions.models import Category
from forum.discussions.models import Post
from forum.discussions.models import PostRevision
from forum.discussions.models import Space
from forum.discussions.models import Thread
from forum.discussions.permissions import can_edit_post
from forum.discussions.permissions import can_read_space
from forum.discussions.permissions import can_read_thread
from forum.discussions.permissions import can_reply
from forum.discussions.permissions import can_see_post_body
from forum.discussions.permissions import can_write_in_space
from forum.discussions.permissions import readable_post_or_404
from forum.discussions.permissions import readable_thread_or_404
from forum.discussions.queries import unread_condition
from forum.extensions import db
from forum.security.access import login_required


def _category_or_404(slug: str) -> Category:
    category = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if category is None:
        abort(404)
    return category


def _page_number() -> int:
    return max(1, request.args.get("page", 1, type=int) or 1)


@bp.route("/")
@login_required
def index():
    return render_template(
        "discussions/index.html",
        categories=queries.categories(),
        counts=queries.category_counts(current_user),
        latest=queries.thread_list(current_user, limit=15),
        spaces=queries.my_spaces(current_user),
    )


@bp.route("/new-since")
@login_required
def new_since():
    rows = queries.thread_list(current_user, unread_condition(current_user), limit=50)
    return render_template("discussions/new_since.html", rows=rows)


@bp.route("/c/<slug>")
@login_required
def category(slug: str):
    category = queries.category_page(current_user, slug)
    if category is None:
        abort(404)
    page = _page_number()
    size = 30
    rows = queries.category_threads(
        current_user, category.id, limit=size + 1, offset=(page - 1) * size
    )
    return render_template(
        "discussions/category.html",
        category=category,
        rows=rows[:size],
        page=page,
        has_more=len(rows) > size,
        level=category.level,
    )


def _space_arg() -> Space | None:
    space_id = request.args.get("space", type=int)
    if not space_id:
        return None
    space = db.session.get(Space, space_id)
    if space is None or not can_read_space(current_user, space):
        abort(404)
    if not can_write_in_space(current_user, space):
        abort(403)
    return space


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_thread():
    space = _space_arg()
    is_case = request.args.get("kind") == "case"
    form = ThreadForm()
    form.category.choices = [SelectChoice(str(c.id), c.name) for c in queries.categories()]
    if request.method == "GET" and request.args.get("category"):
        chosen = db.session.scalar(
            sa.select(Category.id).where(Category.slug == request.args["category"])
        )
        form.category.data = str(chosen) if chosen else None
    status = 200
    if form.validate_on_submit():
        category = db.session.get(Category, int(form.category.data))
        case_fields = form.case_fields() if is_case else None
        if is_case and form.case_problems():
            flash(_("A case example needs its cooperation type, legal basis and outcome."), "error")
            status = 400
        else:
            try:
                thread = actions.do_create_thread(
                    current_user,
                    category,
                    form.title.data,
                    form.body.data,
                    space=space,
                    files=form.files.data,
                    case_fields=case_fields,
                )
            except ActionError as error:
                flash(error.message, "error")
                status = error.status
            else:
                return redirect(url_for("discussions.thread", thread_id=thread.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "discussions/new_thread.html", form=form, space=space, is_case=is_case
    ), status


def _thread_page_or_404(thread_id: int) -> tuple[Thread, int, str | None]:
    """The thread if this reader may read it (else 404), their last read number and their
    subscription level: one statement for all three."""
    found = queries.thread_page(current_user, thread_id)
    if found is None or not can_read_thread(current_user, found[0]):
        abort(404)
    thread, last_read, level = found
    return thread, last_read or 0, level


def _render_thread(thread: Thread, last_read: int, level, reply_form: ReplyForm | None, status=200):
    """The thread page; without ``reply_form`` (a plain visit) the blank one is reused."""
    page = _page_number()
    size = queries.page_size()
    pages = max(1, -(-thread.post_count // size))
    if page > pages:
        abort(404)
    rows = queries.post_rows(thread.id, page)
    if rows and rows[-1].number > last_read:
        actions.record_reading(current_user, thread, rows[-1].number)
    may_reply = can_reply(current_user, thread)
    return render_template(
        "discussions/thread.html",
        thread=thread,
        posts_html=fragments.render_posts(
            rows,
            user=current_user,
            thread_id=thread.id,
            page=page,
            last_read=last_read,
            can_reply=may_reply,
        ),
        page=page,
        pages=pages,
        last_read=last_read,
        form=reply_form,
        blank_reply_form=(
            fragments.blank_reply_form(thread.id) if may_reply and reply_form is None else None
        ),
        can_reply=may_reply,
        level=level,
        categories=queries.categories() if current_user.is_staff else [],
    ), status


@bp.route("/t/<int:thread_id>")
@login_required
def thread(thread_id: int):
    thread, last_read, level = _thread_page_or_404(thread_id)
    form = None
    quote_id = request.args.get("quote", type=int)
    if quote_id:
        quoted = db.session.get(Post, quote_id)
        if quoted is not None and quoted.thread_id == thread.id and quoted.is_visible_to_all:
            form = ReplyForm()
            form.quote_of.data = str(quoted.id)
            form.body.data = "\n".join("> " + line for line in quoted.body.splitlines()) + "\n\n"
    return _render_thread(thread, last_read, level, form)


@bp.route("/t/<int:thread_id>/unread")
@login_required
def first_unread(thread_id: int):
    """Jump to the first post this reader has not seen yet."""
    thread = readable_thread_or_404(current_user, thread_id)
    number = min(queries.last_read(current_user, thread) + 1, max(thread.post_count, 1))
    page = (number - 1) // queries.page_size() + 1
    return redirect(
        url_for("discussions.thread", thread_id=thread.id, page=page) + f"#post-{number}"
    )


@bp.route("/t/<int:thread_id>/reply", methods=["POST"])
@login_required
def reply(thread_id: int):
    thread, last_read, level = _thread_page_or_404(thread_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        flash(_("Your reply could not be sent. Your text is kept below."), "error")
        return _render_thread(thread, last_read, level, form, 400)
    quote_of = None
    if form.quote_of.data and form.quote_of.data.isdigit():
        quote_of = db.session.get(Post, int(form.quote_of.data))
    try:
        post = actions.do_reply(
            current_user, thread, form.body.data, files=form.files.data, quote_of=quote_of
        )
    except ActionError as error:
        flash(error.message, "error")
        return _render_thread(thread, last_read, level, form, error.status)
    return redirect(url_for("discussions.post_link", post_id=post.id))


@bp.route("/p/<int:post_id>")
@login_required
def post_link(post_id: int):
    post = readable_post_or_404(current_user, post_id)
    page = (post.number - 1) // queries.page_size() + 1
    return redirect(
        url_for("discussions.thread", thread_id=post.thread_id, page=page) + f"#post-{post.number}"
    )


@bp.route("/p/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = readable_post_or_404(current_user, post_id)
    if not can_edit_post(current_user, post):
        abort(403)
    form = EditPostForm(obj=post)
    if request.method == "GET" and post.number == 1:
        form.title.data = post.thread.title
    status = 200
    if form.validate_on_submit():
        try:
            actions.do_edit_post(
                current_user,
                post,
                form.body.data,
                title=form.title.data if post.number == 1 else None,
            )
        except ActionError as error:
            flash(error.message, "error")
            status = error.status
        else:
            return redirect(url_for("discussions.post_link", post_id=post.id))
    elif request.method == "POST":
        status = 400
    return render_template("discussions/edit_post.html", form=form, post=post), status


@bp.route("/p/<int:post_id>/history")
@login_required
def post_history(post_id: int):
    post = readable_post_or_404(current_user, post_id)
    if not can_see_post_body(current_user, post):
        abort(404)
    revisions = db.session.scalars(
        sa.select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.id)
    ).all()
    diffs = [
        (
            revision,
            list(
                difflib.unified_diff(
                    revision.body_before.splitlines(),
                    revision.body_after.splitlines(),
                    lineterm="",
                    n=2,
                )
            )[2:],
        )
        for revision in revisions
    ]
    return render_template("discussions/history.html", post=post, diffs=diffs)


@bp.route("/p/<int:post_id>/delete", methods=["POST"])
@login_required
def delete_post(post_id: int):
    post = readable_post_or_404(current_user, post_id)
    try:
        actions.do_delete_post(current_user, post)
    except ActionError as error:
        abort(error.status)
    flash(_("Your post was deleted."), "success")
    return redirect(url_for("discussions.post_link", post_id=post.id))


@bp.route("/attachments/<int:attachment_id>")
@bp.route("/attachments/<int:attachment_id>/<path:name>")
@login_required
def download(attachment_id: int, name: str | None = None):
    """Only for readers of the post's thread; everyone else gets 404."""
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.post_id is None:
        abort(404)
    post = readable_post_or_404(current_user, attachment.post_id)
    if not can_see_post_body(current_user, post):
        abort(404)
    return send_attachment(attachment)


@bp.route("/cases")
@login_required
def cases():
    filters = {key: request.args.get(key, "") for key in queries.CASE_FILTERS}
    rows = queries.case_list(current_user, filters)
    return render_template(
        "discussions/cases.html",
        rows=rows,
        filters=filters,
        cooperation_types=COOPERATION_TYPES,
        legal_bases=LEGAL_BASES,
        outcomes=OUTCOMES,
        state_pairs=[(c.value, c.label) for c in state_choices() if c.value],
        state_names={c.value: c.label for c in state_choices()},
        case_category=db.session.scalar(
            sa.select(Category.slug).where(Category.slug == "case-examples")
        ),
    )


@bp.route("/t/<int:thread_id>/subscription", methods=["POST"])
@login_required
def subscribe_thread(thread_id: int):
    thread = readable_thread_or_404(current_user, thread_id)
    level = request.form.get("level") or None
    if level not in (None, "watch", "mute"):
        abort(400)
    actions.do_set_subscription(current_user, level=level, thread=thread)
    flash(_("Your notification setting for this thread is saved."), "success")
    return redirect(url_for("discussions.thread", thread_id=thread.id))


@bp.route("/c/<slug>/subscription", methods=["POST"])
@login_required
def subscribe_category(slug: str):
    category = _category_or_404(slug)
    level = request.form.get("level") or None
    if level not in (None, "watch", "mute"):
        abort(400)
    actions.do_set_subscription(current_user, level=level, category=category)
    flash(_("Your notification setting for this category is saved."), "success")
    return redirect(url_for("discussions.category", slug=category.slug))


@bp.app_template_global("cooperation_label")
def cooperation_label(value: str) -> str:
    return str(COOPERATION_TYPES.get(value, value or "—"))


@bp.app_template_global("legal_basis_label")
def legal_basis_label(value: str) -> str:
    return str(LEGAL_BASES.get(value, value or "—"))


@bp.app_template_global("outcome_label")
def outcome_label(value: str) -> str:
    return str(OUTCOMES.get(value, value or "—"))


@bp.app_template_global("state_label")
def state_label(code: str | None) -> str:
    if not code:
        return "—"
    country = pycountry.countries.get(alpha_2=code)
    return country.name if country else code


bp.add_app_template_global(fragments.nav, "discussions_nav")
bp.add_app_template_global(fragments.subscription_form, "subscription_form")
bp.add_app_template_global(fragments.thread_rows, "thread_rows")


@bp.app_template_global("user_name")
def user_name(user: User | None) -> str:
    if user is None:
        return _("Former member")
    return user.display_name or user.email


from forum.discussions import moderation_routes  # noqa: E402,F401
from forum.discussions import notification_routes  # noqa: E402,F401
from forum.discussions import search_routes  # noqa: E402,F401
from forum.discussions import space_routes  # noqa: E402,F401
