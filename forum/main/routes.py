from __future__ import annotations

import psycopg
import sqlalchemy as sa
from flask import jsonify
from flask import render_template
from flask_login import current_user

from forum import direct_reads
from forum import header_counts
from forum.auth import totp
from forum.main import bp
from forum.security.access import login_required
from forum.security.access import public

header_counts.register(
    "recovery_codes_left", lambda user, now: totp.remaining_recovery_codes_query(user)
)


_PING = sa.select(sa.literal(1))


@bp.route("/")
@login_required
def home():
    return render_template(
        "main/home.html",
        recovery_codes_left=header_counts.get("recovery_codes_left", current_user),
    )


@bp.route("/healthz")
@public
def healthz():
    """For load balancers: 200 when the app can reach its database, 503 when not."""
    try:
        direct_reads.first(_PING, {})
    except (sa.exc.SQLAlchemyError, psycopg.Error):
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
