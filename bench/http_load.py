"""HTTP benchmark: one production-like process under ``wrk``, logged in as a member.

(Not ``bench/http.py``: that name would shadow the standard library's ``http`` package for
every script run from bench/.)

Generates the data once (``flask dev generate``: 10,000 users, 193 States × ~6 entries,
``--posts`` posts in ``--posts / 20`` threads; kept for the next run), starts gunicorn with
``deploy/gunicorn.conf.py`` and ``forum.wsgi:app`` (production configuration, gevent
WebSocket worker, one worker), logs a generated member in through the real two-step login,
then runs ``wrk -t2 -c8 -d10s`` with the session cookie against each page and prints
requests/s, p50, p99, errors, and the server's CPU time per request (with
its inverse, the rate one dedicated core would sustain: robust on a shared machine).
Thread pages show 100 posts (DISCUSSIONS_PAGE_SIZE=100).

    .venv/bin/python bench/http_load.py --backend sqlite --posts 100000
    .venv/bin/python bench/http_load.py --backend postgresql --posts 100000 \\
        --admin-url postgresql://postgres@127.0.0.1:5432/postgres

Needs Debian's ``wrk`` (apt-get install wrk). The machine is shared: run it more than once
and quote medians.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyotp
import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config import database_url  # noqa: E402
from forum.devdata import EMAIL_DOMAIN  # noqa: E402
from forum.devdata import GENERATED_PASSWORD  # noqa: E402
from forum.devdata import GENERATED_TOTP_SECRET  # noqa: E402

VENV = ROOT / ".venv" / "bin"
DATA_DIR = Path(tempfile.gettempdir()) / "liaison-bench"
# Fixed keys: the generated second-factor secrets are encrypted with them.
KEYS = {"SECRET_KEY": "bench-secret-" + "x" * 32, "TOTP_ENCRYPTION_KEY": "bench-totp-" + "y" * 32}
PAGES = [
    ("health check", "/healthz"),  # the floor: one SELECT 1, no template, no session
    ("home", "/"),
    ("category page", "/discussions/c/general"),
    ("thread, 100 posts", "/discussions/t/1"),
    ("directory search", "/directory/?q=ministry+justice"),
    ("routing helper", "/directory/route?state=FR&measure=mla"),
    ("full-text search", "/search?q=extradition+warrant"),
]
COOKIE = "__Host-liaison"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(url: str, instance: Path, page_size: int) -> dict:
    return {
        **os.environ,
        **KEYS,
        "DATABASE_URL": url,
        "LIAISON_INSTANCE_DIR": str(instance),
        "MAIL_BACKEND": "outbox",
        "DISCUSSIONS_PAGE_SIZE": str(page_size),
        "LOGIN_IP_LIMIT": "1000 per minute",
    }


def prepare_database(args) -> str:
    """The URL of a generated database, generating it on first use."""
    DATA_DIR.mkdir(exist_ok=True)
    tag = f"{args.users}u_{args.posts}p"
    if args.backend == "sqlite":
        path = DATA_DIR / f"bench_{tag}.sqlite3"
        url, exists = f"sqlite:///{path}", path.exists()
    else:
        name = f"liaison_bench_{tag}"
        admin = sa.create_engine(database_url(args.admin_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            exists = bool(
                conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
            )
            if not exists:
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.make_url(args.admin_url).set(database=name).render_as_string(False)
    if exists and not args.regenerate:
        return url
    env = {**environment(url, DATA_DIR, args.page_size), "LIAISON_ENV": "development"}
    flask = [str(VENV / "flask"), "--app", "forum"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    began = time.monotonic()
    subprocess.run(
        [*flask, "dev", "generate", "--users", str(args.users), "--posts", str(args.posts),
         "--threads", str(max(1, args.posts // 20))],
        env=env, cwd=ROOT, check=True,
    )
    print(f"generated in {time.monotonic() - began:.0f} s")
    return url


def start_server(url: str, args):
    port = free_port()
    env = {**environment(url, DATA_DIR, args.page_size), "LIAISON_ENV": "production",
           "LIAISON_BIND": f"127.0.0.1:{port}"}
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [str(VENV / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "forum.wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return process, base, log
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    log.seek(0)
    raise SystemExit("server did not start:\n" + log.read().decode(errors="replace")[-3000:])


def log_in(base: str, users: int) -> str:
    """A generated member's session cookie (the production cookie is Secure: sent by hand)."""
    cookies: dict[str, str] = {}

    def call(method, path, **kwargs):
        header = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        answer = requests.request(method, base + path, headers=header, allow_redirects=False,
                                  timeout=10, **kwargs)
        cookies.update({c.name: c.value for c in answer.cookies})
        return answer

    def token(path):
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', call("GET", path).text)[1]

    email = f"user{random.randint(1, users)}@{EMAIL_DOMAIN}"
    call("POST", "/auth/login", data={"email": email, "password": GENERATED_PASSWORD,
                                      "csrf_token": token("/auth/login")})
    code = pyotp.TOTP(GENERATED_TOTP_SECRET).now()
    done = call("POST", "/auth/login/code", data={"code": code,
                                                  "csrf_token": token("/auth/login/code")})
    if done.status_code != 302:
        raise SystemExit(f"login failed: {done.status_code}")
    call("GET", "/")  # as a browser would: keep the cookie the first page completes (form token)
    return f"{COOKIE}={cookies[COOKIE]}"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far (Linux)."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for proc in [pid, *map(int, children)]:
        fields = Path(f"/proc/{proc}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def run_wrk(base: str, path: str, cookie: str, args, server_pid: int) -> dict:
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s",
               "-s", str(ROOT / "bench" / "wrk_report.lua"), base + path]
    spy = None
    if args.profile:  # sample the server while wrk runs (py-spy's raw, collapsed stacks)
        out = Path(args.profile) / (re.sub(r"\W+", "_", path).strip("_") or "root")
        spy = subprocess.Popen(
            [str(VENV / "py-spy"), "record", "-r", "500", "-f", "raw", "-o", f"{out}.txt",
             "-d", str(args.duration), "--subprocesses", "-p", str(server_pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu_before = cpu_seconds(server_pid)
    output = subprocess.run(command, env={**os.environ, "LIAISON_COOKIE": cookie},
                            capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server_pid) - cpu_before
    if spy is not None:
        spy.wait(timeout=60)
    fields = dict(item.split("=") for item in output.split("RESULT ")[1].split())
    requests_done, seconds = int(fields["requests"]), int(fields["duration_us"]) / 1e6
    return {"rps": requests_done / seconds, "p50": int(fields["p50_us"]) / 1000,
            "p99": int(fields["p99_us"]) / 1000, "errors": int(fields["errors"]),
            # Server CPU per request: what a dedicated core would sustain, whatever else
            # the shared machine is doing (1000 / cpu_ms requests per second).
            "cpu_ms": cpu * 1000 / max(1, requests_done)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--admin-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--only", help="run only pages whose name contains this")
    parser.add_argument("--profile", metavar="DIR",
                        help="record the server with py-spy during each page's run, into DIR")
    args = parser.parse_args()
    url = prepare_database(args)
    process, base, log = start_server(url, args)
    try:
        cookie = log_in(base, args.users)
        for _name, path in PAGES:  # warm up: first renders compile templates, fill caches
            for _ in range(5):
                requests.get(base + path, headers={"Cookie": cookie}, timeout=10)
        print(f"{args.backend}, {args.posts:,} posts, wrk -t{args.wrk_threads} "
              f"-c{args.connections} -d{args.duration}s, one gunicorn gevent process")
        print(f"{'page':<20} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
              f"{'cpu ms/req':>10} {'=> req/s/core':>13}")
        for name, path in PAGES:
            if args.only and args.only not in name:
                continue
            check = requests.get(base + path, headers={"Cookie": cookie}, timeout=10,
                                 allow_redirects=False)
            if check.status_code != 200:
                raise SystemExit(f"{path}: {check.status_code} (not logged in?)")
            r = run_wrk(base, path, cookie, args, process.pid)
            print(f"{name:<20} {r['rps']:>8.0f} {r['p50']:>8.1f} {r['p99']:>8.1f} "
                  f"{r['errors']:>7} {r['cpu_ms']:>10.2f} {1000 / r['cpu_ms']:>13.0f}",
                  flush=True)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.seek(0)
        text = log.read().decode(errors="replace")
        if "Traceback" in text:
            print(text[-3000:], file=sys.stderr)


if __name__ == "__main__":
    main()
