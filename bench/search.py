"""Full-text search benchmark: p50/p99 of ``forum.discussions.search.search`` as a member.

Runs in-process against a generated database (``flask dev generate``; generated here when the
database has no posts), with the permission filter of a non-staff member, for a few query
shapes: one frequent word, two words, a rare word, a prefix. Prints milliseconds. Run
``VACUUM ANALYZE`` after generating: PostgreSQL's estimate of a word's matches, which decides
whether to rank only the newest ones, comes from its statistics.

    .venv/bin/python bench/search.py --database postgresql://postgres@127.0.0.1/liaison_bench \\
        [--posts 1000000] [--repeat 50]
    .venv/bin/python bench/search.py --database sqlite:////tmp/liaison-bench/search.sqlite3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from config import database_url  # noqa: E402
from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402

QUERIES = [
    ("frequent word", "extradition"),
    ("two words", "bank records"),
    ("three words", "urgent procedure witness"),
    ("rare word", "zzzunknownzzz"),
    ("prefix", "confisc"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()
    os.environ.setdefault("LIAISON_INSTANCE_DIR", "/tmp/liaison-bench")
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": database_url(args.database)})
    from forum import devdata
    from forum.auth.models import User
    from forum.discussions import search
    from forum.discussions.models import Post

    with app.app_context():
        upgrade()
        posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
        if posts < args.posts:
            began = time.monotonic()
            devdata.generate(10_000, max(1, args.posts // 20), args.posts - posts)
            print(f"generated in {time.monotonic() - began:.0f} s")
            posts = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
        member = db.session.scalar(sa.select(User).where(User.role == "member").limit(1))
        db.session.expunge(member)  # not reloaded after each rollback: that is not search
        dialect = db.engine.dialect.name
        print(f"{dialect}, {posts:,} posts, member {member.id}, {args.repeat} runs per query")
        print(f"{'query':<16} {'hits':>5} {'p50 ms':>8} {'p99 ms':>8}")
        for name, text in QUERIES:
            search.search(member, text, limit=21)  # warm caches
            times = []
            for _ in range(args.repeat):
                began = time.perf_counter()
                hits = search.search(member, text, limit=21)
                times.append((time.perf_counter() - began) * 1000)
                db.session.rollback()
            times.sort()
            p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
            print(f"{name:<16} {len(hits):>5} {statistics.median(times):>8.1f} {p99:>8.1f}")


if __name__ == "__main__":
    main()
