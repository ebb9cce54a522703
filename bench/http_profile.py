"""In-process CPU per request of the main pages, optionally under cProfile.

Same application and configuration as ``bench/http_load.py`` (production settings, the
process engine options of ``forum.wsgi``, the generated database), but requests go through
Flask's test client in one thread: no server, no load generator, no network between them.
The figure is CPU time (``time.process_time``) per request, which a shared machine disturbs
far less than requests/s. A generated member is logged in by creating a session record
directly (the login flow itself is not measured).

    .venv/bin/python bench/http_profile.py --backend postgresql -n 300
    .venv/bin/python bench/http_profile.py --backend postgresql --only home --profile 25
    .venv/bin/python bench/http_profile.py --hello        # bare Flask "hello", same harness

Run ``bench/http_load.py`` once first: it generates the data this script reads.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.http_load import DATA_DIR  # noqa: E402
from bench.http_load import KEYS  # noqa: E402
from bench.http_load import PAGES  # noqa: E402

EXTRA = [("login page (anonymous)", "/auth/login")]


def build_app(args):
    url = (
        f"sqlite:///{DATA_DIR}/bench_{args.users}u_{args.posts}p.sqlite3"
        if args.backend == "sqlite"
        else f"postgresql://postgres@127.0.0.1:5432/liaison_bench_{args.users}u_{args.posts}p"
    )
    os.environ.update(KEYS)
    os.environ.update(
        DATABASE_URL=url,
        LIAISON_INSTANCE_DIR=str(DATA_DIR),
        MAIL_BACKEND="outbox",
        DISCUSSIONS_PAGE_SIZE=str(args.page_size),
    )
    from config import database_url
    from forum import create_app
    from forum.chat.realtime import process_overrides

    overrides = process_overrides(database_url(url))
    # config.py read the environment when bench.http_load imported it: set what differs here.
    overrides["SQLALCHEMY_DATABASE_URI"] = database_url(url)
    overrides["DISCUSSIONS_PAGE_SIZE"] = args.page_size
    return create_app("production", overrides)


def hello_app():
    from flask import Flask

    app = Flask(__name__)

    @app.route("/")
    def hello():
        return "Hello, World!"

    return app


def log_in(app, client, user_id: int) -> None:
    from forum.auth.models import User
    from forum.auth.sessions import SESSION_TOKEN_KEY
    from forum.auth.sessions import start_session
    from forum.extensions import db

    with app.test_request_context():
        start_session(db.session.get(User, user_id), mfa_complete=True)
        db.session.commit()
        from flask import session

        token = session[SESSION_TOKEN_KEY]
    with client.session_transaction() as sess:
        sess[SESSION_TOKEN_KEY] = token
        sess.permanent = True


def measure(client, path: str, count: int, profile: int) -> float:
    for _ in range(5):
        answer = client.get(path)
    if answer.status_code != 200:
        raise SystemExit(f"{path}: {answer.status_code}")
    began = time.process_time()
    for _ in range(count):
        client.get(path)
    cpu_ms = (time.process_time() - began) * 1000 / count
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(profile):
            client.get(path)
        profiler.disable()
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return cpu_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("-n", type=int, default=200, help="requests per page")
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--profile", type=int, default=0, help="profile this many requests")
    parser.add_argument("--hello", action="store_true", help="bare Flask hello only")
    args = parser.parse_args()
    if args.hello:
        client = hello_app().test_client()
        print(f"{'bare Flask hello':<24} {measure(client, '/', args.n, args.profile):8.3f} ms")
        return
    app = build_app(args)
    client, anonymous = app.test_client(), app.test_client()
    for each in (client, anonymous):  # the production cookie is Secure (__Host-)
        each.environ_base["wsgi.url_scheme"] = "https"
    log_in(app, client, user_id=2)
    print(f"{args.backend}, {args.posts:,} posts, in-process, CPU ms per request")
    for name, path in [*PAGES, *EXTRA]:
        if args.only and args.only not in name:
            continue
        who = anonymous if "anonymous" in name else client
        print(f"{name:<24} {measure(who, path, args.n, args.profile):8.3f} ms", flush=True)


if __name__ == "__main__":
    main()
