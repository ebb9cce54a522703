"""Chat soak: N asyncio python-socketio clients (direct pairs, the two members of a pair on
different processes) against two real server processes joined by Redis, sending at a steady
total rate for M minutes. Mid-run one process is killed (SIGKILL) and restarted on the same
port; its clients reconnect on their own. At the end every message sent must have been
received exactly once by every member of its conversation, checked by sequence numbers.

    .venv/bin/python bench/soak.py --clients 40 --minutes 0.5 --kill-after 10
    .venv/bin/python bench/soak.py --clients 1000 --minutes 10 --rate 200 --kill-after 300 \\
        --backend postgresql --database postgresql://postgres@127.0.0.1:5432/test \\
        --redis redis://127.0.0.1:6379/0

The clients keep the protocol's guarantees as forum/static/js/chat.js does
(docs/chat-protocol.md): an outbox of unacknowledged messages, resent with the same client id
after every reconnect (and, as a member resubmitting the same text would, after an unanswered
send or a ``rate_limited``/``server_error`` refusal); after every (re)connect a ``sync`` from
the newest id the client had when its connection dropped (again from each page's last id while
``more``); deliveries of an id the client already has are dropped. No final catch-up: what a
connected client never heard live counts as lost. A message is identified by its client id
``<sender>.<sequence>``. ``--sync-from connect`` syncs from the newest id at the connect event
instead (what chat.js did before this soak found it loses messages).

Lost: (message, member) with no delivery (the sender's own ack counts for the sender).
Duplicated: (message, member) delivered under more than one server id (stored twice).
Exit status 1 when either is not 0, or when the database disagrees.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

import socketio  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from bench.chat import pct  # noqa: E402
from bench.chat import prepare  # noqa: E402
from config import database_url  # noqa: E402
from tests.chat.processes import ROOT  # noqa: E402
from tests.chat.processes import _wait_for_port  # noqa: E402
from tests.chat.processes import chat_servers  # noqa: E402

SEND_TIMEOUT = 10  # seconds, as chat.js
RETRY_AFTER = 2  # seconds before a refused-for-now or unanswered send goes again
TRANSIENT = {"rate_limited", "server_error"}


class Member:
    """One client: the browser page of chat.js, without the page."""

    def __init__(self, soak: Soak, n: int, conversation_id: int):
        self.soak, self.n, self.conversation_id = soak, n, conversation_id
        self.client = socketio.AsyncClient(
            reconnection=True,
            reconnection_attempts=0,
            reconnection_delay=0.5,
            reconnection_delay_max=5,
        )
        self.user_id: int | None = None
        self.last_id = 0
        # The catch-up point, as in chat.js: the newest id had when the connection dropped
        # (after a catch-up answered in full), not the newest id at "connect".
        self.sync_from = 0
        self.caught_up = False
        self.seq = 0  # messages created so far (sequence numbers 0 .. seq-1)
        self.outbox: dict[str, str] = {}  # client id -> body, until acknowledged
        self.have: dict[int, str] = {}  # server id -> client id (accepted once)
        self.redelivered = 0  # deliveries of an id already had (dropped, as chat.js does)
        self.via_sync = 0  # messages first had from a catch-up, not live
        self.resent = 0  # outbox entries sent again after a reconnect or a failure
        self.duplicate_acks = 0  # resends the server recognised (stored before)
        self.syncs: list[tuple] = []  # (since, outcome, messages) of each catch-up call
        self.connects = 0
        self.refused: Counter = Counter()
        self.ack_latencies: list[float] = []
        self.client.on("connect", self.on_connect)
        self.client.on("disconnect", self.on_disconnect)
        self.client.on("message", self.on_message)

    # Receiving -------------------------------------------------------------------------
    def accept(self, message: dict, *, via_sync: bool = False) -> None:
        if message.get("conversation_id") != self.conversation_id:
            return
        if message["id"] > self.last_id:
            self.last_id = message["id"]
        if message["id"] in self.have:
            self.redelivered += 1
            return
        self.have[message["id"]] = message["client_id"]
        self.via_sync += via_sync

    async def on_message(self, data):
        self.accept(data)

    async def on_connect(self):
        self.connects += 1
        self.caught_up = False
        # Not from last_id: messages sent to the room while the server was still in its
        # connect handler arrive before this event, newer than the gap to catch up on.
        # Not awaited here: the acks it waits for arrive through the same reader.
        since = self.last_id if self.soak.args.sync_from == "connect" else self.sync_from
        self.soak.spawn(self.catch_up(since))

    async def on_disconnect(self, reason=None):
        if self.caught_up:
            self.sync_from = self.last_id

    async def catch_up(self, since: int):
        """As chat.js on "connect": sync from the newest id, then resend the outbox.

        Only an acknowledgement empties the outbox, not seeing one's own message in the
        catch-up: a process killed between its commit and its delivery to the room never
        delivered it, and the resend (a duplicate) makes the server deliver it again.
        """
        for _ in range(1000):  # bounded: 500 a page
            try:
                ack = await self.client.call(
                    "sync",
                    {"last_id": since, "conversation_id": self.conversation_id},
                    timeout=SEND_TIMEOUT,
                )
            except (TimeoutError, socketio.exceptions.SocketIOError) as error:
                self.syncs.append((since, type(error).__name__, 0))
                return  # the next connect tries again
            self.syncs.append((since, ack and ack.get("ok"), len((ack or {}).get("messages", []))))
            if not ack or not ack.get("ok"):
                self.refused["sync:" + str(ack and ack.get("error"))] += 1
                break
            for message in ack["messages"]:
                self.accept(message, via_sync=True)
            if not ack.get("more") or not ack["messages"]:
                self.caught_up = True
                break
            since = ack["messages"][-1]["id"]  # the next page: after this one's last id
        for client_id in list(self.outbox):
            self.resent += 1
            self.soak.spawn(self.send(client_id))

    # Sending ---------------------------------------------------------------------------
    def new_message(self) -> None:
        client_id = f"{self.n}.{self.seq}"
        self.seq += 1
        self.outbox[client_id] = f"soak {client_id}"
        if self.client.connected:
            self.soak.spawn(self.send(client_id))
        # Otherwise it waits in the outbox for the next connect.

    async def send(self, client_id: str) -> None:
        while client_id in self.outbox and self.client.connected and not self.soak.stopping:
            start = time.perf_counter()
            try:
                ack = await self.client.call(
                    "send",
                    {
                        "conversation_id": self.conversation_id,
                        "client_id": client_id,
                        "body": self.outbox[client_id],
                    },
                    timeout=SEND_TIMEOUT,
                )
            except (TimeoutError, socketio.exceptions.SocketIOError):
                ack = None  # not connected, or no answer: unknown whether stored
            if ack and ack.get("ok"):
                self.ack_latencies.append(time.perf_counter() - start)
                self.duplicate_acks += bool(ack.get("duplicate"))
                self.accept(ack["message"])
                self.outbox.pop(client_id, None)
                return
            if ack and ack.get("error") not in TRANSIENT:
                self.refused[ack.get("error")] += 1  # refused for good: chat.js drops it too
                self.outbox.pop(client_id, None)
                return
            # Unanswered or refused for now: again with the same client id (a reconnect
            # resends it anyway; this covers a connection that stayed up).
            await asyncio.sleep(RETRY_AFTER)
            self.resent += 1


class Soak:
    def __init__(self, args, urls, cookies, pairs, cookie_name):
        self.args, self.urls = args, urls
        self.cookies, self.cookie_name = cookies, cookie_name
        self.pairs = pairs
        self.members: list[Member] = []
        self.tasks: set[asyncio.Task] = set()
        self.stopping = False
        self.events: list[str] = []

    def spawn(self, coroutine) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def log(self, text: str) -> None:
        line = f"[{time.strftime('%H:%M:%S')}] {text}"
        self.events.append(line)
        print(line, flush=True)

    async def connect_all(self) -> None:
        start = time.perf_counter()
        semaphore = asyncio.Semaphore(50)
        by_index = {}
        for a, b, conversation_id in self.pairs:
            by_index[a] = Member(self, a, conversation_id)
            by_index[b] = Member(self, b, conversation_id)
        self.members = [by_index[n] for n in sorted(by_index)]

        async def one(member: Member):
            async with semaphore:
                await member.client.connect(
                    self.urls[member.n % len(self.urls)],
                    # A function: a fresh dict for every (re)connect. engineio moves the
                    # Cookie header out of the dict it is given into a session it closes on
                    # disconnect, so a plain dict would reconnect without the cookie.
                    headers=lambda cookie=f"{self.cookie_name}={self.cookies[member.n]}": {
                        "Cookie": cookie
                    },
                    transports=["websocket"],
                    wait_timeout=30,
                    retry=True,
                )

        await asyncio.gather(*(one(m) for m in self.members))
        self.log(
            f"connected {len(self.members)} clients to {len(self.urls)} processes "
            f"in {time.perf_counter() - start:.1f} s"
        )

    async def learn_user_ids(self, database: str) -> None:
        engine = sa.create_engine(database)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, email FROM users")).all()
        engine.dispose()
        ids = {email: user_id for user_id, email in rows}
        for member in self.members:
            member.user_id = ids[f"bench{member.n}@example.org"]

    async def senders(self, duration: float) -> None:
        """Every client at rate/clients a second, start times spread over one period."""
        per_client = self.args.rate / len(self.members)
        period = 1 / per_client
        end = time.perf_counter() + duration

        async def sender(index: int, member: Member):
            next_at = time.perf_counter() + period * index / len(self.members)
            while next_at < end:
                await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
                member.new_message()
                next_at += period

        await asyncio.gather(*(sender(i, m) for i, m in enumerate(self.members)))

    async def kill_and_restart(self, after: float) -> None:
        await asyncio.sleep(after)
        index = len(self.urls) - 1
        victim = self.urls.processes[index]
        port = int(self.urls[index].rpartition(":")[2])
        on_victim = [m for m in self.members if m.n % len(self.urls) == index]
        before = {id(m): m.connects for m in on_victim}
        victim.send_signal(signal.SIGKILL)
        await asyncio.to_thread(victim.wait)
        killed_at = time.perf_counter()
        self.log(f"killed process {index + 1} (pid {victim.pid}, {len(on_victim)} clients)")
        await asyncio.sleep(self.args.down)
        log = tempfile.TemporaryFile()
        self.restart_logs.append(log)
        process = subprocess.Popen(
            victim.args,
            cwd=ROOT,
            env=self.environment,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.urls.processes[index] = process  # chat_servers stops this one at the end
        await asyncio.to_thread(_wait_for_port, port, process)
        restarted_at = time.perf_counter()
        self.log(f"restarted process {index + 1} on port {port} (pid {process.pid})")
        for _ in range(1200):  # at most 60 s
            if all(m.connects > before[id(m)] and m.client.connected for m in on_victim):
                break
            await asyncio.sleep(0.05)
        back = sum(m.connects > before[id(m)] for m in on_victim)
        self.log(
            f"{back}/{len(on_victim)} clients reconnected "
            f"{time.perf_counter() - killed_at:.1f} s after the kill, "
            f"{time.perf_counter() - restarted_at:.1f} s after the restart"
        )

    async def drain(self, limit: float) -> float:
        """Until every outbox is empty and every client connected (bounded)."""
        start = time.perf_counter()
        while time.perf_counter() - start < limit:
            if all(not m.outbox and m.client.connected for m in self.members):
                break
            await asyncio.sleep(0.2)
        waited = time.perf_counter() - start
        await asyncio.sleep(self.args.settle)  # the last live deliveries
        return waited

    def check(self) -> dict:
        by_conversation: dict[int, list[Member]] = {}
        for member in self.members:
            by_conversation.setdefault(member.conversation_id, []).append(member)
        lost = duplicated = sent = 0
        examples = []
        for members in by_conversation.values():
            expected = [f"{s.n}.{q}" for s in members for q in range(s.seq)]
            sent += len(expected)
            for member in members:
                copies = Counter(member.have.values())
                for client_id in expected:
                    count = copies.get(client_id, 0)
                    if count == 0:
                        lost += 1
                        if len(examples) < 10:
                            examples.append(
                                f"client {member.n} never got {client_id}"
                                f" (connects {member.connects}, syncs {member.syncs[-3:]})"
                            )
                    elif count > 1:
                        duplicated += count - 1
                        if len(examples) < 10:
                            examples.append(f"client {member.n} got {client_id} {count} times")
        return {
            "sent": sent,
            "deliveries expected": sum(
                len(ms) * sum(m.seq for m in ms) for ms in by_conversation.values()
            ),
            "lost": lost,
            "duplicated": duplicated,
            "examples": examples,
        }

    async def stop(self) -> None:
        self.stopping = True
        for member in self.members:
            member.client.reconnection = False
        await asyncio.gather(*(m.client.disconnect() for m in self.members), return_exceptions=True)
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


def database_check(url: str, sent: int) -> tuple[int, int]:
    """Rows stored, and (sender, client id) keys stored more than once."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT count(*) FROM chat_messages")).scalar_one()
        twice = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT sender_id, client_id FROM chat_messages"
                " GROUP BY sender_id, client_id HAVING count(*) > 1) AS d"
            )
        ).scalar_one()
    engine.dispose()
    return rows, twice


async def run(args, soak: Soak, database: str) -> dict:
    await soak.connect_all()
    await soak.learn_user_ids(database)
    duration = args.minutes * 60
    start = time.perf_counter()
    killer = asyncio.create_task(soak.kill_and_restart(args.kill_after))
    await soak.senders(duration)
    soak.log(f"sending stopped after {time.perf_counter() - start:.0f} s")
    await killer
    waited = await soak.drain(args.drain)
    soak.log(f"drained in {waited:.1f} s")
    result = soak.check()
    result["outbox left"] = sum(len(m.outbox) for m in soak.members)
    result["not connected"] = sum(not m.client.connected for m in soak.members)
    result["redelivered (dropped by id)"] = sum(m.redelivered for m in soak.members)
    result["reconnects"] = sum(m.connects - 1 for m in soak.members)
    result["resent (same client id)"] = sum(m.resent for m in soak.members)
    result["resends already stored (duplicate ack)"] = sum(m.duplicate_acks for m in soak.members)
    result["had from catch-up, not live"] = sum(m.via_sync for m in soak.members)
    refused = Counter()
    for member in soak.members:
        refused.update(member.refused)
    result["refused"] = dict(refused)
    latencies = [x for m in soak.members for x in m.ack_latencies]
    result["ack p50/p99/max ms"] = (
        f"{pct(latencies, 0.5):.1f} / {pct(latencies, 0.99):.1f} / "
        f"{max(latencies, default=0) * 1000:.0f}"
    )
    await soak.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--rate", type=float, default=200, help="messages a second, in all")
    parser.add_argument(
        "--kill-after", type=float, default=None, help="seconds (default: half the run)"
    )
    parser.add_argument("--down", type=float, default=2, help="seconds before the restart")
    parser.add_argument("--drain", type=float, default=60, help="at most, after sending")
    parser.add_argument("--settle", type=float, default=3, help="seconds, after the drain")
    parser.add_argument(
        "--sync-from",
        choices=["disconnect", "connect"],
        default="disconnect",
        help="catch-up point: the newest id when the connection dropped (chat.js), or the"
        " newest id at the connect event (chat.js before the soak; loses messages)",
    )
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_DATABASE_URL",
            os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
        ),
        help="PostgreSQL server URL (a database liaison_soak of its own is made there)",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get(
            "BENCH_REDIS_URL", os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
        ),
    )
    args = parser.parse_args()
    if args.kill_after is None:
        args.kill_after = args.minutes * 30
    if args.clients < 4 or args.clients % 2:
        parser.error("--clients: an even number, at least 4")
    if not 0 < args.kill_after < args.minutes * 60:
        parser.error("--kill-after must fall inside the run")
    for url in [args.redis] + ([args.database] if args.backend == "postgresql" else []):
        if sa.make_url(database_url(url)).host not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"loopback addresses only: {url}")
    # A TERM (or the caller's timeout) still stops the servers: the finally blocks run.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = tempfile.TemporaryDirectory(prefix="liaison-soak-")
    base = args.database
    if args.backend == "sqlite":
        base = f"sqlite:///{tmp.name}/soak.db"
    channel = f"liaison-soak-{uuid.uuid4().hex}"
    env = {"CHAT_RATE_BURST": "1000", "CHAT_RATE_PER_SECOND": "1000", "CHAT_SWEEPER": "1"}
    restart_logs: list = []
    status = 1
    try:
        print(f"preparing {args.clients} members ({args.backend})", flush=True)
        url, cookies, pairs, cookie_name = prepare(base, args.clients, name="liaison_soak")
        # Pairs (n, n+1): the two members of each conversation are on different processes.
        with chat_servers(2, database=url, redis=args.redis, channel=channel, env=env) as urls:
            soak = Soak(args, urls, cookies, pairs, cookie_name)
            soak.environment = {**os.environ, **env, "CHAT_CHANNEL": channel}
            soak.restart_logs = restart_logs
            limit = args.minutes * 60 + args.drain + args.settle + 180
            result = asyncio.run(asyncio.wait_for(run(args, soak, url), timeout=limit))
        rows, twice = database_check(url, result["sent"])
        result["database rows"] = rows
        result["database keys stored twice"] = twice
        print(
            f"\nsoak: {args.clients} clients, 2 processes ({args.backend}, Redis), "
            f"{args.minutes:g} min at {args.rate:g} msg/s, process 2 killed at "
            f"{args.kill_after:g} s and restarted {args.down:g} s later"
        )
        for key, value in result.items():
            if key != "examples":
                print(f"  {key}: {value}")
        for line in result["examples"]:
            print(f"  e.g. {line}")
        ok = (
            result["lost"] == 0
            and result["duplicated"] == 0
            and rows == result["sent"]
            and twice == 0
            and not result["refused"]
        )
        print("RESULT:", "PASS (lost 0, duplicated 0)" if ok else "FAIL")
        status = 0 if ok else 1
    finally:
        for log in restart_logs:
            log.seek(0)
            text = log.read().decode(errors="replace")
            if "Traceback" in text:
                print(text[-4000:], file=sys.stderr)
            log.close()
        if args.backend == "postgresql":
            admin = sa.create_engine(database_url(args.database), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(sa.text('DROP DATABASE IF EXISTS "liaison_soak" WITH (FORCE)'))
            admin.dispose()
        tmp.cleanup()
    return status


if __name__ == "__main__":
    sys.exit(main())
