"""Chat benchmark: N real Socket.IO clients (websocket transport, raw frames on asyncio, in
--workers processes), each signed in with the session cookie of a distinct member, in N/2
direct conversations, against 1 or 2 gevent server processes (two joined by Redis). Every
message is persisted in PostgreSQL as in production.

    .venv/bin/python bench/chat.py --clients 1000 --rate 1000 --duration 15 --processes 1
    .venv/bin/python bench/chat.py --clients 1000 --processes 2 --redis redis://127.0.0.1:6379/0

Prints connect time, send->receive p50/p99/max at the fixed rate (and anything lost), then
the sustained maximum (closed loop: every client sends its next message on its ack).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

# The repository root, not bench/ (whose modules, e.g. bench/http.py, would shadow the
# standard library for everything imported after this).
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

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


# --- The load generator: raw Socket.IO clients, in worker processes -------------------------
#
# python-socketio's AsyncClient spent about as much CPU per message as the server it measured
# (0.5-0.6 ms), on the same two cores. These clients speak the same protocol (Engine.IO 4 over
# a WebSocket, Socket.IO 5, namespace "/") with the handshake's session cookie, but frame it
# by hand on an asyncio Protocol: no Engine.IO state machine, no packet objects, and the
# receiver reads only the client id of a message. Frames are masked with a zero key (legal,
# and the XOR is then a no-op). Each worker process holds whole pairs, so the send and
# receive times of a message are on one clock.

_HANDSHAKE = (
    "GET /socket.io/?EIO=4&transport=websocket{query} HTTP/1.1\r\nHost: {host}\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: bGlhaXNvbi1iZW5jaC0xMg==\r\nCookie: {cookie}\r\n\r\n"
)
_CLIENT_ID = b'"client_id":"'


def _frame(text: bytes, opcode: int = 0x81) -> bytes:
    size = len(text)
    if size < 126:
        return bytes((opcode, 0x80 | size)) + b"\0\0\0\0" + text
    return bytes((opcode, 0x80 | 126)) + size.to_bytes(2, "big") + b"\0\0\0\0" + text


class RawClient(asyncio.Protocol):
    def __init__(self, worker: Worker):
        self.worker = worker
        self.buffer = bytearray()
        self.upgraded = False
        self.connected = asyncio.get_running_loop().create_future()
        self.acks: dict[int, asyncio.Future] = {}
        self.next_ack = 0
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport
        transport.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def connection_lost(self, exc):
        self.worker.disconnected += 1
        if not self.connected.done():
            self.connected.set_exception(ConnectionError("closed during the handshake"))
        for future in self.acks.values():
            if not future.done():
                future.set_result(False)
        self.acks.clear()

    def data_received(self, data):
        buffer = self.buffer
        buffer += data
        if not self.upgraded:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if b" 101 " not in buffer[: buffer.find(b"\r\n")]:
                self.connected.set_exception(ConnectionError(bytes(buffer[:end]).decode()))
                self.transport.close()
                return
            del buffer[: end + 4]
            self.upgraded = True
        while len(buffer) >= 2:
            size = buffer[1] & 0x7F
            start = 2
            if size == 126:
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + size:
                return
            opcode = buffer[0] & 0x0F
            payload = bytes(buffer[start : start + size])
            del buffer[: start + size]
            if opcode == 1:
                self.packet(payload)
            elif opcode == 9:
                self.transport.write(_frame(payload, 0x8A))

    def packet(self, payload: bytes):
        kind = payload[:2]
        if kind == b"42":  # an event: only "message" is sent to these sockets at this load
            if payload.startswith(b'42["message"'):
                start = payload.find(_CLIENT_ID) + len(_CLIENT_ID)
                self.worker.delivered(payload[start : payload.find(b'"', start)])
        elif kind == b"43":  # an acknowledgement: 43<id>[{...}]
            end = payload.find(b"[")
            future = self.acks.pop(int(payload[2:end]), None)
            if future is not None and not future.done():
                future.set_result(payload.find(b'"ok":true', end) > 0)
        elif payload[:1] == b"2":  # Engine.IO ping
            self.transport.write(_frame(b"3"))
        elif payload[:1] == b"0":  # Engine.IO open: connect to the namespace
            self.transport.write(_frame(b"40"))
        elif kind == b"40":
            if not self.connected.done():
                self.connected.set_result(True)
        elif kind == b"44" and not self.connected.done():
            self.connected.set_exception(ConnectionError(payload.decode()))

    def call_send(self, conversation_id: int, client_id: str) -> asyncio.Future:
        ack = self.next_ack = self.next_ack + 1
        future = asyncio.get_running_loop().create_future()
        if self.transport.is_closing():
            future.set_result(False)  # dropped by the server: refused, not waited for
            return future
        self.acks[ack] = future
        self.transport.write(
            _frame(
                f'42{ack}["send",{{"conversation_id":{conversation_id},'
                f'"client_id":"{client_id}","body":"ping"}}]'.encode()
            )
        )
        return future


def _give_up(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(False)


class Worker:
    """One load-generator process: whole pairs of sockets, commanded over a pipe."""

    def __init__(self, urls, members, pairs, cookie_name, echo):
        self.urls, self.members, self.pairs = urls, members, pairs
        self.cookie_name, self.echo = cookie_name, echo
        self.clients: dict[int, RawClient] = {}
        self.sent_at: dict[bytes, float] = {}
        self.latencies: list[float] = []
        self.received = 0
        self.counter = 0
        self.disconnected = 0

    def delivered(self, client_id: bytes):
        sent = self.sent_at.pop(client_id, None)
        if sent is not None:
            self.latencies.append(time.perf_counter() - sent)
            self.received += 1

    async def connect_all(self):
        loop = asyncio.get_running_loop()
        semaphore = asyncio.Semaphore(100)

        async def one(n, cookie):
            url = urllib.parse.urlsplit(self.urls[n % len(self.urls)])
            query = f"&room={n // 2 + 1}" if self.echo else ""
            async with semaphore:
                _, client = await loop.create_connection(
                    lambda: RawClient(self), url.hostname, url.port
                )
                client.transport.write(
                    _HANDSHAKE.format(
                        query=query, host=url.netloc, cookie=f"{self.cookie_name}={cookie}"
                    ).encode()
                )
                await asyncio.wait_for(client.connected, 30)
            self.clients[n] = client

        await asyncio.gather(*(one(n, cookie) for n, cookie in self.members))

    async def send(self, n: int, conversation_id: int) -> bool:
        self.counter += 1
        client_id = f"{os.getpid()}-{self.counter}"
        self.sent_at[client_id.encode()] = time.perf_counter()
        future = self.clients[n].call_send(conversation_id, client_id)
        # A timer, not asyncio.wait_for (which wraps every send in a task).
        timer = asyncio.get_running_loop().call_later(30, _give_up, future)
        ok = await future
        timer.cancel()
        return ok

    async def fixed_rate(self, rate: float, per_sender: float, duration: float, start: float):
        sent = failed = 0

        async def sender(index, n, conversation_id):
            nonlocal sent, failed
            next_at = start + index / rate
            await asyncio.sleep(max(0, next_at - time.time()))
            end = next_at + duration
            while next_at < end:
                ok = await self.send(n, conversation_id)
                sent += 1
                failed += not ok
                next_at += 1 / per_sender
                await asyncio.sleep(max(0, next_at - time.time()))

        await asyncio.gather(*(sender(i, a, c) for i, a, _b, c in self.pairs))
        await asyncio.sleep(2)  # let the last deliveries arrive
        return sent, failed

    async def closed_loop(self, duration: float, start: float) -> int:
        done = 0
        await asyncio.sleep(max(0, start - time.time()))
        end = time.perf_counter() + duration

        async def sender(n, conversation_id):
            nonlocal done
            while time.perf_counter() < end:
                if await self.send(n, conversation_id):
                    done += 1

        await asyncio.gather(*(sender(a, c) for _i, a, _b, c in self.pairs))
        return done

    async def serve(self, conn):
        loop = asyncio.get_running_loop()
        while True:
            command, *args = await loop.run_in_executor(None, conn.recv)
            cpu = time.process_time()
            if command == "connect":
                await self.connect_all()
                conn.send(None)
            elif command == "fixed":
                self.latencies, self.received = [], 0
                sent, failed = await self.fixed_rate(*args)
                cpu = time.process_time() - cpu
                conn.send((sent, failed, self.received, self.latencies, cpu, self.disconnected))
            elif command == "closed":
                conn.send((await self.closed_loop(*args), time.process_time() - cpu))
            else:
                for client in self.clients.values():
                    client.transport.close()
                conn.send(None)
                return


def _worker_main(conn, *args):
    asyncio.run(Worker(*args).serve(conn))


def pct(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def database_cpu(name: str | None) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL backend serving database ``name`` (by pid)."""
    found = {}
    if not name:
        return found
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if command.startswith(b"postgres: ") and f" {name} ".encode() in command:
                found[int(entry.name)] = cpu_seconds(int(entry.name))
        except OSError:
            continue
    return found


def server_cpu(urls) -> float:
    return sum(cpu_seconds(p.pid) for p in urls.processes)


class Workers:
    """The load-generator processes; each pair of members lives in one of them."""

    def __init__(self, count, urls, cookies, pairs, cookie_name, echo):
        context = multiprocessing.get_context("fork")
        self.pipes, self.processes = [], []
        self.senders = len(pairs)
        for w in range(count):
            mine = [(i, a, b, c) for i, (a, b, c) in enumerate(pairs) if i % count == w]
            members = [(n, cookies[n]) for _i, a, b, _c in mine for n in (a, b)]
            parent, child = context.Pipe()
            process = context.Process(
                target=_worker_main, args=(child, urls, members, mine, cookie_name, echo)
            )
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def ask(self, *command):
        for pipe in self.pipes:
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def close(self):
        self.ask("close")
        for process in self.processes:
            process.join(10)


def run(args, urls, cookies, pairs, cookie_name):
    workers = Workers(args.workers, urls, cookies, pairs, cookie_name, args.echo)
    try:
        start = time.perf_counter()
        workers.ask("connect")
        connect_time = time.perf_counter() - start
        print(
            f"connected {len(cookies)} sockets to {len(urls)} process(es) in {connect_time:.2f} s"
            f" ({args.workers} load-generator process(es))"
        )
        cpu_before, db_before = server_cpu(urls), database_cpu(args.database_name)
        per_sender = args.rate / len(pairs)
        results = workers.ask("fixed", args.rate, per_sender, args.duration, time.time() + 0.5)
        server = server_cpu(urls) - cpu_before
        database = sum(
            cpu - db_before.get(pid, 0.0) for pid, cpu in database_cpu(args.database_name).items()
        )
        sent = sum(r[0] for r in results)
        failed = sum(r[1] for r in results)
        received = sum(r[2] for r in results)
        lat = [x for r in results for x in r[3]]
        client = sum(r[4] for r in results)
        lost = sent - failed - received
        print(
            f"fixed rate {args.rate} msg/s for {args.duration:.0f} s: sent {sent}, "
            f"refused {failed}, received {received}, lost {lost}, "
            f"sockets dropped by the server {sum(r[5] for r in results)}"
        )
        print(
            f"send->receive p50 {pct(lat, 0.5):.1f} ms  p99 {pct(lat, 0.99):.1f} ms  "
            f"max {max(lat) * 1000 if lat else float('nan'):.1f} ms  "
            f"mean {statistics.fmean(lat) * 1000 if lat else float('nan'):.1f} ms"
        )
        if sent:
            # Independent of what else runs on the machine, unlike the latencies: the capacity
            # of one process is about 1 / (CPU per message) messages a second.
            print(
                f"CPU per message: servers {server / sent * 1000:.2f} ms, "
                f"load generator {client / sent * 1000:.2f} ms, "
                f"PostgreSQL backends {database / sent * 1000:.2f} ms (same cores)"
            )
        start = time.perf_counter()
        results = workers.ask("closed", args.duration, time.time() + 0.2)
        rate = sum(r[0] for r in results) / (time.perf_counter() - start - 0.2)
        done = "delivered (bare transport)" if args.echo else "persisted"
        print(f"sustained maximum (closed loop, {len(pairs)} senders): {rate:.0f} msg/s {done}")
    finally:
        workers.close()


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
        "--workers", type=int, default=1, help="load-generator processes (whole pairs each)"
    )
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
    args.database_name = None
    if args.echo:
        pairs = [(n, n + 1, n // 2 + 1) for n in range(0, args.clients - 1, 2)]
        with echo_servers(args.processes, args.redis) as urls:
            run(args, urls, [""] * args.clients, pairs, "none")
        return
    url, cookies, pairs, cookie_name = prepare(args.database, args.clients)
    if sa.make_url(url).get_backend_name() == "postgresql":
        args.database_name = sa.make_url(url).database
    # As in production: the sweep runs (the testing config would leave it off).
    env = {"CHAT_RATE_BURST": "1000", "CHAT_RATE_PER_SECOND": "1000", "CHAT_SWEEPER": "1"}
    with chat_servers(
        args.processes,
        database=url,
        redis=args.redis,
        channel=f"liaison-bench-{uuid.uuid4().hex}",
        env=env,
    ) as urls:
        run(args, urls, cookies, pairs, cookie_name)


if __name__ == "__main__":
    main()
