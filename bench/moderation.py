"""Moderation benchmark: the audit log viewer (chain verified on every view) and members page.

Fills a fresh SQLite database (or DATABASE_URL's) with N audit entries and 2,000 members, signs
a moderator in through the real login, then times /moderation/audit, a filtered audit page,
/moderation/members and a CSV export in-process, printing p50/p99 server time in ms and the
number of SQL statements per page.

    .venv/bin/python bench/moderation.py [--events 20000] [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from forum import create_app  # noqa: E402
from forum.auth.models import Role  # noqa: E402
from forum.auth.models import User  # noqa: E402
from forum.db_types import utcnow  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.security.audit import GENESIS_HASH  # noqa: E402
from forum.security.audit import AuditEvent  # noqa: E402
from tests.auth.helpers import logged_in_client  # noqa: E402
from tests.factories import make_user  # noqa: E402

MEMBERS = 2000
STATES = ["FR", "DE", "ES", "IT", "GH", "BR", "JP", "KE", "MX", "PT"]


def fill(events: int) -> None:
    """Bulk rows, chained exactly as ``audit.record`` chains them (it is too slow for 20k)."""
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"m{i}@bench.example",
                "display_name": f"Member {i}",
                "state_code": STATES[i % len(STATES)],
                "authority_name": "Bench authority",
                "role": "member",
                "status": "active",
                "created_at": utcnow(),
                "totp_last_step": 0,
            }
            for i in range(MEMBERS)
        ],
    )
    start = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    previous = (
        db.session.scalar(sa.select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
        or GENESIS_HASH
    )
    rows = []
    for n in range(events):
        event = AuditEvent(
            id=start + n + 1,
            created_at=utcnow(),
            actor_id=1 + n % 50,
            action=("member.suspended", "login.success", "discussions.post_hidden")[n % 3],
            target_type="user",
            target_id=str(n % MEMBERS),
            ip_address="10.0.0.1",
            details=json.dumps({"reason": f"bench {n}"}),
            prev_hash=previous,
            row_hash="",
        )
        event.row_hash = event.computed_hash()
        previous = event.row_hash
        rows.append(event)
    db.session.add_all(rows)
    db.session.commit()


def timed(client, method: str, path: str, requests: int) -> tuple[float, float, int]:
    statements = []
    listener = lambda *args: statements.append(1)  # noqa: E731
    samples = []
    for i in range(requests):
        if i == 0:
            sa.event.listen(db.engine, "before_cursor_execute", listener)
        started = time.perf_counter()
        response = client.open(path, method=method)
        samples.append((time.perf_counter() - started) * 1000)
        if i == 0:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        assert response.status_code == 200, (path, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.99) - 1], len(statements)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            moderator = make_user(
                email="bench-mod@bench.example", role=Role.MODERATOR, state_code=None
            )
            client = logged_in_client(app, moderator)
            fill(options.events)
            print(f"{options.events} audit entries, {MEMBERS} members")
            print(f"{'page':40} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}")
            for method, path in (
                ("GET", "/moderation/audit"),
                ("GET", "/moderation/audit?action=member.&target=user:7"),
                ("GET", "/moderation/members"),
                ("GET", "/moderation/members?state=FR&seen=inactive"),
                ("POST", "/moderation/audit/export"),
            ):
                p50, p99, queries = timed(client, method, path, options.requests)
                print(f"{method + ' ' + path:40.40} {p50:8.1f} {p99:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
