"""Public-facing directory pages: home and search, State pages, routing helper, exports.

These views are ``@public``: each checks visibility itself, and answers a restricted State
exactly as it answers an unknown one (404), so anonymous visitors learn nothing of it.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Response
from flask import abort
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from forum.directory import bp
from forum.directory import export
from forum.directory import fragments
from forum.directory import search
from forum.directory.models import Entry
from forum.directory.policy import can_edit_state
from forum.directory.policy import can_see_contacts
from forum.directory.policy import focal_points
from forum.directory.policy import is_member
from forum.directory.policy import is_stale
from forum.directory.policy import visible_state_or_404
from forum.directory.vocab import CHANNELS
from forum.directory.vocab import DESIGNATIONS
from forum.directory.vocab import MEASURES
from forum.extensions import db
from forum.security.access import public


def _filters() -> search.Filters:
    args = request.args
    try:
        page = max(1, min(int(args.get("page", 1)), 10_000))
    except ValueError:
        page = 1

    def pick(name: str, allowed) -> str:
        value = args.get(name, "").strip()
        return value if value in allowed else ""

    state = args.get("state", "").strip().upper()
    return search.Filters(
        q=args.get("q", "").strip()[:200],
        state=state if len(state) == 2 and state.isalpha() else "",
        designation=pick("designation", DESIGNATIONS),
        language=args.get("language", "").strip().lower()[:3],
        channel=pick("channel", CHANNELS),
        page=page,
    )


def _page_base(filters: search.Filters) -> str:
    """The URL of the search with its filters, to which a page link appends its number."""
    args = filters.query_args()
    return url_for("directory.home", **args) + ("&page=" if args else "?page=")


@bp.route("/")
@public
def home():
    filters = _filters()
    if filters.active:
        states = None
        choices = search.state_choices(current_user)
        rows, total = search.search(current_user, filters, choices)
        results = fragments.results(rows, total, filters.page, _page_base(filters))
    else:
        states = search.state_rows(current_user)
        choices = search.choices_of(states)
        results = None
    return render_template(
        "directory/home.html",
        filters=filters,
        states=states,
        search_form=fragments.search_form(filters, choices, current_user),
        results=results,
        is_stale=is_stale,
    )


@bp.route("/<code>")
@public
def state_page(code: str):
    state = visible_state_or_404(code, current_user)
    entries = db.session.scalars(
        sa.select(Entry)
        .where(Entry.state_code == state.code, Entry.deleted_at.is_(None))
        .options(so.selectinload(Entry.contacts))
        .order_by(Entry.name)
    ).all()
    return render_template(
        "directory/state.html",
        state=state,
        entries=entries,
        show_contacts=can_see_contacts(current_user),
        can_edit=can_edit_state(current_user, state),
        focal_points=focal_points(state.code) if is_member(current_user) else [],
        designations=DESIGNATIONS,
        channels=CHANNELS,
        is_stale=is_stale,
    )


@bp.route("/route")
@public
def route():
    """ "Where do I send this?": the authority of a State for one measure, on one printable page."""
    choices = search.state_choices(current_user)
    target_code = request.args.get("state", "").upper()
    measure = request.args.get("measure", "")
    own_default = getattr(current_user, "state_code", None) or ""
    from_code = request.args.get("from", own_default).upper()
    result = None
    if target_code and measure in MEASURES:
        # Unknown and restricted States get the same answer: no such State in the list.
        if target_code not in choices:
            abort(404)
        origin_code = from_code if from_code in choices else ""
        answer = search.route(current_user, target_code, measure, origin_code)
        if answer is None:
            abort(404)
        result = fragments.route_result(
            answer.state,
            answer.origin,
            measure,
            answer.entries,
            can_see_contacts(current_user),
        )
    return render_template(
        "directory/route.html",
        form=fragments.route_form(choices, target_code, measure, from_code),
        result=result,
        asked=bool(target_code or measure),
    )


def _download(body: str, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/export.csv")
@public
def export_csv():
    entries = search.export_entries(current_user)
    body = export.to_csv(entries, with_contacts=can_see_contacts(current_user))
    return _download(body, "text/csv", "liaison-directory.csv")


@bp.route("/export.json")
@public
def export_json():
    entries = search.export_entries(current_user)
    body = export.to_json(entries, with_contacts=can_see_contacts(current_user))
    return _download(body, "application/json", "liaison-directory.json")


@bp.route("/sitemap.xml")
@public
def sitemap():
    """Public States only, whoever asks: sitemaps are for search engines."""
    rows = [row for row in search.state_rows(None) if row.visibility == "public"]
    body = render_template("directory/sitemap.xml", rows=rows)
    return Response(body, mimetype="application/xml")
