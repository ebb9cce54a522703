"""The cluster of deploy/local-cluster for tests: its own PostgreSQL database, free ports,
production configuration; clients that talk HTTP to each app process directly.

Used by tests/deploy/test_local_cluster.py and tests/browser/test_deploy_cluster.py (the
browser test lives with the shared Playwright browser fixture).
"""

from __future__ import annotations

import os
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
from flask_migrate import upgrade

from forum import create_app
from forum.extensions import db
from tests.databases import postgres_database
from tests.factories import make_user

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "local-cluster"
COOKIE = "__Host-liaison"  # the production session cookie
SECRET_KEY = "cluster-test-secret-" + uuid.uuid4().hex
TOTP_KEY = "cluster-test-totp-" + uuid.uuid4().hex


def free_port() -> int:
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
    with postgres_database(base, f"liaison_cluster_{os.getpid()}") as url:
        app = create_app(
            "testing",
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": SECRET_KEY,
                "TOTP_ENCRYPTION_KEY": TOTP_KEY,
            },
        )
        with app.app_context():
            upgrade()
            yield app, url
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def cluster(cluster_db, tmp_path):
    _app, url = cluster_db
    ports = [free_port(), free_port()]
    https_port = free_port()
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


def person(email_prefix: str):
    user = make_user(email=f"{email_prefix}-{uuid.uuid4().hex[:8]}@example.org")
    user.display_name = email_prefix.title()
    db.session.commit()
    return user


def code(user, offset: int = 0) -> str:
    step = int(time.time() // 30) + offset
    return pyotp.TOTP(user.test_totp_secret).at(step * 30)
