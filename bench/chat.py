"""Chat benchmark: N real asyncio python-socketio clients (websocket transport), each signed in
as a distinct member, in N/2 direct conversations, against 1 or 2 gevent server processes
(two joined by Redis). Every message is persisted in PostgreSQL as in production.

    .venv/bin/python bench/chat.py --clients 1000 --rate 1000 --duration 15 --processes 1
    .venv/bin/python bench/chat.py --clients 1000 --processes 2 --redis redis://127.0.0.1:6379/0

Prints connect time, send->receive p50/p99/max at the fixed rate (and anything lost), then
the sustained maximum (closed loop: every client sends its next message on its ack).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

# The repository root, not bench/ (whose modules, e.g. bench/http.py, would shadow the
# standard library for everything imported after this).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import socketio  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from config import database_url  # noqa: E402
from forum import create_app  # noqa: E402
from forum.auth.models import User  # noqa: E402
from forum.auth.models import UserSession  # noqa: E402
from forum.chat.models import Conversation  # noqa: E402
from forum.chat.models import ConversationMember  # noqa: E402
from forum.db_types import utcnow  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.security.crypto import new_token  # noqa: E402
from forum.security.crypto import token_hash  # noqa: E402
from tests.chat.processes import Servers  # noqa: E402
from tests.chat.processes import _wait_for_port  # noqa: E402
from tests.chat.processes import chat_servers  # noqa: E402
from tests.chat.processes import cpu_seconds  # noqa: E402
from tests.chat.processes import free_port  # noqa: E402


def prepare(base_url: str, clients: int, name: str = "liaison_bench_chat"):
    """A fresh database with ``clients`` members, their live sessions and signed cookies.

    PostgreSQL: database ``name`` on that server, dropped first. SQLite: the file of the URL.
    """
    if sa.make_url(database_url(base_url)).get_backend_name() == "sqlite":
        url = database_url(base_url)
    else:
        admin = sa.create_engine(database_url(base_url), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = sa.make_url(database_url(base_url)).set(database=name).render_as_string(False)
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})
    cookies, pairs = [], []
    with app.app_context():
        upgrade()
        now = utcnow()
        users = [
            User(
                email=f"bench{n}@example.org",
                display_name=f"Bench {n}",
                status="active",
                totp_secret_encrypted="x",
                totp_enrolled_at=now,
            )
            for n in range(clients)
        ]
        db.session.add_all(users)
        db.session.flush()
        serializer = app.session_interface.get_signing_serializer(app)
        for user in users:
            token = new_token()
            db.session.add(
                UserSession(
                    user_id=user.id,
                    token_hash=token_hash(token),
                    mfa_complete=True,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=12),
                )
            )
            cookies.append(serializer.dumps({"sid": token, "_permanent": True}))
        for n in range(0, clients - 1, 2):
            a, b = users[n], users[n + 1]
            conversation = Conversation(kind="direct", direct_key=f"{a.id}:{b.id}")
            conversation.members = [
                ConversationMember(user_id=a.id),
                ConversationMember(user_id=b.id),
            ]
            db.session.add(conversation)
            db.session.flush()
            pairs.append((n, n + 1, conversation.id))
        db.session.commit()
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        db.engine.dispose()
    return url, cookies, pairs, cookie_name


class Bench:
    def __init__(self, urls, cookies, cookie_name, echo=False):
        self.urls, self.cookies, self.cookie_name = urls, cookies, cookie_name
        self.echo = echo
        self.clients: list[socketio.AsyncClient] = []
        self.sent_at: dict[str, float] = {}
        self.latencies: list[float] = []
        self.received = 0

    async def connect_all(self) -> float:
        start = time.perf_counter()
        semaphore = asyncio.Semaphore(100)

        async def one(n):
            client = socketio.AsyncClient(reconnection=False)

            @client.on("message")
            async def on_message(data):
                sent = self.sent_at.pop(data["client_id"], None)
                if sent is not None and data["sender_id"] != 0:
                    self.latencies.append(time.perf_counter() - sent)
                    self.received += 1

            async with semaphore:
                # The echo server puts each socket in its pair's room (?room=).
                await client.connect(
                    self.urls[n % len(self.urls)] + (f"?room={n // 2 + 1}" if self.echo else ""),
                    headers={"Cookie": f"{self.cookie_name}={self.cookies[n]}"},
                    transports=["websocket"],
                    wait_timeout=30,
                )
            self.clients.append((n, client))

        await asyncio.gather(*(one(n) for n in range(len(self.cookies))))
        self.clients.sort(key=lambda pair: pair[0])
        self.clients = [c for _, c in self.clients]
        return time.perf_counter() - start

    async def send(self, n: int, conversation_id: int) -> bool:
        client_id = uuid.uuid4().hex
        self.sent_at[client_id] = time.perf_counter()
        ack = await self.clients[n].call(
            "send",
            {"conversation_id": conversation_id, "client_id": client_id, "body": "ping"},
            timeout=30,
        )
        return bool(ack and ack.get("ok"))

    async def fixed_rate(self, pairs, rate: float, duration: float):
        """Each pair's first member sends at rate/pairs per second; returns (sent, failed)."""
        per_sender = rate / len(pairs)
        sent = failed = 0

        async def sender(index, n, conversation_id):
            nonlocal sent, failed
            await asyncio.sleep(index / rate)
            next_at = time.perf_counter()
            end = next_at + duration
            while next_at < end:
                ok = await self.send(n, conversation_id)
                sent += 1
                failed += not ok
                next_at += 1 / per_sender
                await asyncio.sleep(max(0, next_at - time.perf_counter()))

        await asyncio.gather(*(sender(i, a, c) for i, (a, _b, c) in enumerate(pairs)))
        await asyncio.sleep(2)  # let the last deliveries arrive
        return sent, failed

    async def closed_loop(self, pairs, duration: float) -> float:
        done = 0
        end = time.perf_counter() + duration

        async def sender(n, conversation_id):
            nonlocal done
            while time.perf_counter() < end:
                if await self.send(n, conversation_id):
                    done += 1

        start = time.perf_counter()
        await asyncio.gather(*(sender(a, c) for a, _b, c in pairs))
        return done / (time.perf_counter() - start)


def pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def server_cpu(urls) -> float:
    return sum(cpu_seconds(p.pid) for p in urls.processes)


async def run(args, urls, cookies, pairs, cookie_name):
    bench = Bench(urls, cookies, cookie_name, echo=args.echo)
    connect_time = await bench.connect_all()
    cpu_before, client_before = server_cpu(urls), time.process_time()
    print(
        f"connected {len(bench.clients)} sockets to {len(urls)} process(es) in {connect_time:.2f} s"
    )
    sent, failed = await bench.fixed_rate(pairs, args.rate, args.duration)
    lost = sent - failed - bench.received
    lat = bench.latencies
    print(
        f"fixed rate {args.rate} msg/s for {args.duration:.0f} s: sent {sent}, refused {failed}, "
        f"received {bench.received}, lost {lost}"
    )
    print(
        f"send->receive p50 {pct(lat, 0.5):.1f} ms  p99 {pct(lat, 0.99):.1f} ms  "
        f"max {max(lat) * 1000 if lat else float('nan'):.1f} ms  "
        f"mean {statistics.fmean(lat) * 1000 if lat else float('nan'):.1f} ms"
    )
    if sent:
        # Independent of what else runs on the machine, unlike the latencies: the capacity
        # of one process is about 1 / (CPU per message) messages a second.
        per_message = (server_cpu(urls) - cpu_before) / sent * 1000
        client = (time.process_time() - client_before) / sent * 1000
        print(
            f"CPU per message: servers {per_message:.2f} ms, "
            f"load generator {client:.2f} ms (same cores)"
        )
    bench.latencies.clear()
    rate = await bench.closed_loop(pairs, args.duration)
    done = "delivered (bare transport)" if args.echo else "persisted"
    print(f"sustained maximum (closed loop, {len(pairs)} senders): {rate:.0f} msg/s {done}")
    for client in bench.clients:
        await client.disconnect()


@contextmanager
def echo_servers(count: int, redis: str | None):
    """Bare-transport processes (bench/chat_echo_server.py); yields their base URLs."""
    processes, urls = [], Servers()
    urls.processes = processes
    channel = f"liaison-bench-echo-{uuid.uuid4().hex}"
    try:
        for _ in range(count):
            port = free_port()
            command = [sys.executable, str(_HERE / "chat_echo_server.py"), "--port", str(port)]
            command += ["--channel", channel] + (["--redis", redis] if redis else [])
            processes.append(subprocess.Popen(command, stdout=subprocess.DEVNULL))
            _wait_for_port(port, processes[-1])
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        ),
    )
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL"))
    parser.add_argument(
        "--echo",
        action="store_true",
        help="the bare transport instead (bench/chat_echo_server.py: no auth, no database)",
    )
    args = parser.parse_args()
    if args.processes > 1 and not args.redis:
        parser.error("two processes need --redis")
    if args.echo:
        pairs = [(n, n + 1, n // 2 + 1) for n in range(0, args.clients - 1, 2)]
        with echo_servers(args.processes, args.redis) as urls:
            asyncio.run(run(args, urls, [""] * args.clients, pairs, "none"))
        return
    url, cookies, pairs, cookie_name = prepare(args.database, args.clients)
    # As in production: the sweep runs (the testing config would leave it off).
    env = {"CHAT_RATE_BURST": "1000", "CHAT_RATE_PER_SECOND": "1000", "CHAT_SWEEPER": "1"}
    with chat_servers(
        args.processes,
        database=url,
        redis=args.redis,
        channel=f"liaison-bench-{uuid.uuid4().hex}",
        env=env,
    ) as urls:
        asyncio.run(run(args, urls, cookies, pairs, cookie_name))


if __name__ == "__main__":
    main()
