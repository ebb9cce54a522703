"""Real chat server processes for tests and the benchmark (python -m forum.chat.server)."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import socketio

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"chat server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"chat server on port {port} did not start")


class Servers(list):
    """The servers' base URLs, with their processes (the benchmark reads their CPU time)."""

    processes: list


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def chat_servers(
    count: int,
    *,
    database: str,
    redis: str | None,
    config: str = "testing",
    channel: str | None = None,
    env: dict | None = None,
):
    """Start ``count`` gevent chat processes; yields their base URLs."""
    processes, urls, logs = [], Servers(), []
    urls.processes = processes
    environment = {**os.environ, **(env or {})}
    if channel:
        environment["CHAT_CHANNEL"] = channel
    try:
        for _ in range(count):
            port = free_port()
            command = [
                sys.executable,
                "-m",
                "forum.chat.server",
                "--port",
                str(port),
                "--config",
                config,
                "--database",
                database,
            ]
            if redis:
                command += ["--redis", redis]
            log = tempfile.TemporaryFile()
            logs.append(log)
            process = subprocess.Popen(
                command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=log
            )
            processes.append(process)
            _wait_for_port(port, process)
            urls.append(f"http://127.0.0.1:{port}")
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in logs:
            log.seek(0)
            text = log.read().decode(errors="replace")
            log.close()
            if "Traceback" in text:
                print(text[-4000:], file=sys.stderr)


def socket_client(url: str, cookie: str, *, events=("message",), origin: str | None = None):
    """A real python-socketio client over WebSocket, and a queue of the ``events`` it hears
    (and its disconnection), for tests against server processes. ``cookie`` is the whole
    ``name=value``; ``origin``, when the server checks it, is the site's own."""
    inbox: queue.Queue = queue.Queue()
    extra = {"websocket_extra_options": {"origin": origin}} if origin else {}
    client = socketio.Client(reconnection=False, **extra)
    for event in events:
        client.on(event, lambda data, event=event: inbox.put((event, data)))
    client.on("disconnect", lambda *args: inbox.put(("disconnect", None)))
    client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
    return client, inbox


def next_event(inbox: queue.Queue, name: str, timeout: float = 8.0):
    """The data of the next ``name`` event in ``inbox`` (others are skipped) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        kind, data = inbox.get(timeout=max(0.1, deadline - time.monotonic()))
        if kind == name:
            return data
