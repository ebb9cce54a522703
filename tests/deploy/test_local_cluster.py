"""deploy/local-cluster: two gunicorn processes behind nginx (TLS, ip_hash) on PostgreSQL and
Redis behave as one site. A browser (through nginx, so on one process) and a python-socketio
client on the *other* process chat both ways; a login rate limit counts attempts made on both
processes; a session ended through one process is refused by the other, and its socket closed.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pyotp
import pytest
import requests
import socketio
import sqlalchemy as sa
from flask_migrate import upgrade

from config import database_url
from forum import create_app
from forum.extensions import db
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster"
COOKIE = "__Host-liaison"  # the production session cookie
SECRET_KEY = "cluster-test-secret-" + uuid.uuid4().hex
TOTP_KEY = "cluster-test-totp-" + uuid.uuid4().hex


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self, directory: Path, app_ports: list[int], https_port: int):
        self.directory = directory
        self.apps = [f"http://127.0.0.1:{port}" for port in app_ports]
        self.url = f"https://127.0.0.1:{https_port}"
        self.cert = str(directory / "tls" / "cert.pem")

    def other_app(self, upstream: str) -> str:
        """The app process that did not serve ``upstream`` (nginx's X-Liaison-Upstream)."""
        others = [url for url in self.apps if not url.endswith("//" + upstream)]
        assert len(others) == 1, (upstream, self.apps)
        return others[0]


class ManualClient:
    """HTTP without a cookie policy: the production cookie is Secure, and this client talks
    plain HTTP to the app processes directly, as nginx does."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, url: str, **kwargs) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        answer = requests.request(
            method, url, headers=headers, allow_redirects=False, timeout=10, **kwargs
        )
        for cookie in answer.cookies:
            self.cookies[cookie.name] = cookie.value
        return answer

    def csrf(self, url: str) -> str:
        answer = self.request("GET", url)
        assert answer.status_code == 200, (url, answer.status_code)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', answer.text).group(1)

    def login(self, password_app: str, code_app: str, email: str, password: str, code: str):
        """Password step on one process, code step on another; returns the code answer."""
        token = self.csrf(password_app + "/auth/login")
        first = self.request(
            "POST",
            password_app + "/auth/login",
            data={"email": email, "password": password, "csrf_token": token},
        )
        assert first.status_code == 302, first.status_code
        token = self.csrf(code_app + "/auth/login/code")
        return self.request(
            "POST", code_app + "/auth/login/code", data={"code": code, "csrf_token": token}
        )


@pytest.fixture
def cluster_db():
    base, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    if not base or not redis_url:
        pytest.skip("needs TEST_DATABASE_URL and TEST_REDIS_URL")
    if not Path("/usr/sbin/nginx").exists() or shutil.which("openssl") is None:
        pytest.skip("needs Debian's nginx and openssl (apt-get install nginx)")
    name = f"liaison_cluster_{os.getpid()}"
    admin = sa.create_engine(database_url(base), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(database_url(base)).set(database=name).render_as_string(hide_password=False)
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY, "TOTP_ENCRYPTION_KEY": TOTP_KEY},
    )
    try:
        with app.app_context():
            upgrade()
            yield app, url
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def cluster(cluster_db, tmp_path):
    _app, url = cluster_db
    ports = [_free_port(), _free_port()]
    https_port = _free_port()
    directory = tmp_path / "cluster"
    env = {
        **os.environ,
        "LIAISON_CLUSTER_DIR": str(directory),
        "LIAISON_CLUSTER_PORTS": " ".join(map(str, ports)),
        "LIAISON_CLUSTER_HTTPS_PORT": str(https_port),
        "DATABASE_URL": url,
        "REDIS_URL": os.environ["TEST_REDIS_URL"],
        "SECRET_KEY": SECRET_KEY,
        "TOTP_ENCRYPTION_KEY": TOTP_KEY,
        "LIAISON_SKIP_MIGRATIONS": "1",
        # Every request here comes from 127.0.0.1: the per-address limit would count earlier
        # runs (Redis keeps them); the per-account limit is the one under test.
        "LOGIN_IP_LIMIT": "1000 per minute",
    }
    try:
        subprocess.run([str(SCRIPT), "start"], env=env, check=True, timeout=60)
        yield Cluster(directory, ports, https_port)
    finally:
        subprocess.run([str(SCRIPT), "stop"], env=env, timeout=60)
        status = subprocess.run([str(SCRIPT), "status"], env=env, capture_output=True, text=True)
        assert "running" not in status.stdout, status.stdout
        for log in sorted((directory / "logs").glob("app-*.log")):
            text = log.read_text(errors="replace")
            if "Traceback" in text:
                print(f"--- {log.name}\n{text[-4000:]}")


def _person(email_prefix: str):
    user = make_user(email=f"{email_prefix}-{uuid.uuid4().hex[:8]}@example.org")
    user.display_name = email_prefix.title()
    db.session.commit()
    return user


def _code(user, offset: int = 0) -> str:
    step = int(time.time() // 30) + offset
    return pyotp.TOTP(user.test_totp_secret).at(step * 30)


def _socket_client(app_url: str, cookie: str, origin: str):
    inbox: queue.Queue = queue.Queue()
    # The site's own origin, as a page of the site sends it (websocket-client's default
    # would be the app process's address, which the origin check refuses).
    client = socketio.Client(reconnection=False, websocket_extra_options={"origin": origin})
    client.on("message", lambda data: inbox.put(("message", data)))
    client.on("disconnect", lambda *args: inbox.put(("disconnect", None)))
    client.connect(
        app_url,
        headers={"Cookie": f"{COOKIE}={cookie}"},
        transports=["websocket"],
        wait_timeout=10,
    )
    return client, inbox


def _next(inbox: queue.Queue, name: str, timeout: float = 8.0):
    deadline = time.monotonic() + timeout
    while True:
        kind, data = inbox.get(timeout=max(0.1, deadline - time.monotonic()))
        if kind == name:
            return data


def _refused_within(client, inbox, conversation_id: int, seconds: float) -> bool:
    """True once the socket is closed or a send is refused as unauthenticated."""
    deadline = time.monotonic() + seconds
    attempt = 0
    while time.monotonic() < deadline:
        if not client.connected:
            return True
        attempt += 1
        payload = {"conversation_id": conversation_id, "client_id": f"late-{attempt}", "body": "x"}
        try:
            reply = client.call("send", payload, timeout=5)
        except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
            return not client.connected
        if not reply["ok"]:
            assert reply["error"] == "unauthenticated", reply
            return True
        time.sleep(0.5)
    return False


def test_cluster_is_one_site(cluster, browser):
    anna, ben = _person("anna"), _person("ben")

    # Anna in the browser, through nginx (TLS, sticky: always the same process for her).
    context = browser.new_context(
        base_url=cluster.url, ignore_https_errors=True, locale="en-GB"
    )
    context.set_default_timeout(8_000)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.get_by_label("Email").fill(anna.email)
        page.get_by_label("Password", exact=True).fill(anna.test_password)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Authentication code").fill(_code(anna))
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(cluster.url + "/")
        answer = page.goto(f"/members/{ben.id}")
        browser_process = answer.headers["x-liaison-upstream"]
        page.get_by_role("button", name="Message").click()
        page.wait_for_url(re.compile(r"/chat/\d+$"))
        conversation_id = int(page.url.rsplit("/", 1)[1])

        # Ben logs in on the other process (password step and code step on different ones)
        # and connects his socket there.
        other = cluster.other_app(browser_process)
        ben_http = ManualClient()
        done = ben_http.login(other, cluster.apps[0], ben.email, ben.test_password, _code(ben))
        assert done.status_code == 302 and done.headers["Location"].endswith("/"), done.text
        client, inbox = _socket_client(other, ben_http.cookies[COOKIE], cluster.url)
        try:
            page.locator("#chat-input").fill("Hello from process one")
            page.locator("#chat-input").press("Enter")
            message = _next(inbox, "message")
            assert message["conversation_id"] == conversation_id
            assert "Hello from process one" in message["html"]

            ack = client.call(
                "send",
                {"conversation_id": conversation_id, "client_id": "c-1", "body": "Reply via two"},
                timeout=10,
            )
            assert ack["ok"], ack
            page.locator("#chat-messages").get_by_text("Reply via two").wait_for()

            # Ben's session, ended through the browser's process, is refused by his own.
            assert ben_http.request("GET", other + "/").status_code == 200
            browser_app = next(url for url in cluster.apps if url != other)
            token = ben_http.csrf(browser_app + "/account/security")
            out = ben_http.request("POST", browser_app + "/auth/logout", data={"csrf_token": token})
            assert out.status_code == 302
            refused = ben_http.request("GET", other + "/")
            assert refused.status_code == 302 and "/auth/login" in refused.headers["Location"]
            # His socket on the other process is refused within the recheck interval (3 s).
            assert _refused_within(client, inbox, conversation_id, seconds=10)
        finally:
            client.disconnect()
    finally:
        context.close()


def test_login_rate_limit_counts_across_processes(cluster):
    carla = _person("carla")
    one, two = cluster.apps
    for attempt in range(5):
        client = ManualClient()
        first, second = (one, two) if attempt % 2 else (two, one)
        wrong = client.login(first, second, carla.email, "not her password", "000000")
        assert wrong.status_code in (400, 401), wrong.status_code
    # The sixth attempt, right this time, is refused on either process: the count is shared.
    for password_app, code_app in ((one, two), (two, one)):
        client = ManualClient()
        refused = client.login(
            password_app, code_app, carla.email, carla.test_password, _code(carla)
        )
        assert refused.status_code == 429, refused.status_code
        assert "Too many failed attempts" in refused.text
