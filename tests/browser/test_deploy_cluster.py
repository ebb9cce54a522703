"""deploy/local-cluster end to end: a browser through nginx (TLS, ip_hash: always one process)
and a python-socketio client on the *other* app process chat both ways; a session ended
through one process is refused by the other, and its socket there is closed.
"""

from __future__ import annotations

import re
import time

import pytest
import socketio

from tests.chat.processes import next_event
from tests.chat.processes import socket_client
from tests.deploy.cluster import COOKIE
from tests.deploy.cluster import ManualClient
from tests.deploy.cluster import cluster  # noqa: F401  (fixture)
from tests.deploy.cluster import cluster_db  # noqa: F401  (fixture)
from tests.deploy.cluster import code
from tests.deploy.cluster import person

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.browser]


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


def test_cluster_is_one_site(cluster, browser):  # noqa: F811
    anna, ben = person("anna"), person("ben")

    # Anna in the browser, through nginx (TLS, sticky: always the same process for her).
    context = browser.new_context(base_url=cluster.url, ignore_https_errors=True, locale="en-GB")
    context.set_default_timeout(8_000)
    page = context.new_page()
    try:
        page.goto("/auth/login")
        page.get_by_label("Email").fill(anna.email)
        page.get_by_label("Password", exact=True).fill(anna.test_password)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Authentication code").fill(code(anna))
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
        done = ben_http.login(other, cluster.apps[0], ben.email, ben.test_password, code(ben))
        assert done.status_code == 302 and done.headers["Location"].endswith("/"), done.text
        client, inbox = socket_client(
            other, f"{COOKIE}={ben_http.cookies[COOKIE]}", origin=cluster.url
        )
        try:
            page.locator("#chat-input").fill("Hello from process one")
            page.locator("#chat-input").press("Enter")
            message = next_event(inbox, "message")
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
