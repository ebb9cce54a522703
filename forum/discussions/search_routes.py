"""/search: full-text search over what the user may read, with filters."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime
from datetime import timedelta

from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user

from forum.discussions import queries
from forum.discussions import search
from forum.discussions import search_bp
from forum.security.access import login_required

PER_PAGE = 20


def _date(name: str) -> datetime | None:
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        return None


@search_bp.route("/search")
@login_required
def search_page():
    query = (request.args.get("q") or "").strip()[:200]
    page = max(1, request.args.get("page", 1, type=int) or 1)
    until = _date("until")
    filters = search.Filters(
        category_id=request.args.get("category", type=int),
        space_id=request.args.get("space", type=int),
        author_id=request.args.get("author", type=int),
        since=_date("since"),
        until=until + timedelta(days=1) if until else None,
    )
    hits = []
    if query:
        hits = search.search(
            current_user, query, filters, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE
        )
    return render_template(
        "discussions/search.html",
        # Links of each hit end in an id: their start is built once, not once per hit.
        post_href=url_for("discussions.post_link", post_id=0).removesuffix("0"),
        author_href=url_for("search.search_page", q=query, author=""),
        query=query,
        hits=hits[:PER_PAGE],
        has_more=len(hits) > PER_PAGE,
        page=page,
        categories=queries.categories(),
        spaces=queries.my_spaces(current_user),
        args=request.args,
    )
