"""Browser fixtures: Debian's Chromium driven by Playwright, and the app on a real HTTP server.

One browser per test session (per xdist worker); every test gets its own server on a
freshly migrated SQLite file, with CSRF on, and fresh browser contexts (no shared cookies).
Any console error, uncaught script error or CSP violation in a page fails the test: our
CSP is strict (no inline script or style), so a violation is a bug, not noise.

Playwright never downloads a browser here: it launches /usr/bin/chromium (apt's package).
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from forum import create_app
from forum import mail
from forum.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
# No sandbox: CI runs as root in a container. The rest keeps Chromium from calling home.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Short: a page of ours that takes longer than this to react is itself a failure.
TIMEOUT_MS = 5_000

# Reported by the browser itself when a policy blocks something; caught as console errors too,
# but this names the directive even where Chromium's console text would not.
_CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  console.error(`CSP violation: ${event.violatedDirective} blocked ${blocked}`);
});
"""


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, launched once per worker; skipped (failed in CI) when not installed."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


class _LateBoundApp:
    """WSGI entry that forwards to an app built after the server has picked its port.

    The app's BASE_URL (invitation links, the Socket.IO allowed origin) needs that port.
    """

    app: Flask | None = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(tmp_path):
    """The app on http://127.0.0.1:<free port>, threaded, CSRF on, its own migrated database."""
    entry = _LateBoundApp()
    server = make_server("127.0.0.1", 0, entry, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
            "WTF_CSRF_ENABLED": True,
            "BASE_URL": url,
        },
    )
    with app.app_context():
        upgrade()
    entry.app = app
    mail.memory_outbox.clear()
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=url)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@dataclass
class PageProblems:
    """Console errors, uncaught exceptions and CSP violations seen in any page of the test."""

    seen: list[str] = field(default_factory=list)
    _allowed: list[re.Pattern] = field(default_factory=list)

    def console(self, page_url: str, message) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(pattern.search(text) for pattern in self._allowed):
            return
        self.seen.append(f"console error on {page_url}: {text}")

    def page_error(self, page_url: str, error) -> None:
        self.seen.append(f"uncaught error on {page_url}: {error}")

    @contextmanager
    def allow(self, pattern: str):
        """Accept console errors matching ``pattern`` inside the block, e.g. an expected 4xx.

        Chromium logs "Failed to load resource: ... status of 400" when a form is refused,
        which is what a refused login must do.
        """
        compiled = re.compile(pattern)
        self._allowed.append(compiled)
        try:
            yield
        finally:
            self._allowed.remove(compiled)


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def new_page(browser, live_server, page_problems):
    """Open a page in a fresh browser context (its own cookies): one context per person/device."""
    contexts = []

    def open_page():
        context = browser.new_context(base_url=live_server.url, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.add_init_script(_CSP_REPORTER)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: page_problems.console(page.url, message))
        page.on("pageerror", lambda error: page_problems.page_error(page.url, error))
        return page

    yield open_page
    for context in contexts:
        context.close()
    if page_problems.seen:
        pytest.fail("The browser reported problems:\n" + "\n".join(page_problems.seen))


@pytest.fixture
def page(new_page):
    """A page in a fresh browser context."""
    return new_page()
