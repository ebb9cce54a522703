"""Security headers on every kind of response, cookie flags, production settings, and templates
that a strict Content-Security-Policy can serve (no inline script, handler or style).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from forum import create_app
from forum.extensions import db
from tests.factories import totp_code

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REQUIRED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def _csp(response) -> dict[str, str]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in policy.split(";") if part.strip())
    return {name: value for name, value in directives}


def _responses(client, member, auth):
    """A page, an error page, a static file, the health check, a signed-in page, a redirect."""
    responses = {
        "login page": client.get("/auth/login"),
        "404 page": client.get("/no-such-page"),
        "405 page": client.get("/auth/logout"),
        "static file": client.get("/static/css/liaison.css"),
        "health check": client.get("/healthz"),
        "redirect": client.get("/"),
    }
    auth.login(member)
    responses["home page"] = client.get("/")
    for response in responses.values():
        response.close()
    return responses


def _assert_security_headers(name, response):
    csp = _csp(response)
    for directive, value in REQUIRED_CSP.items():
        assert csp.get(directive) == value, f"{name}: {directive} is {csp.get(directive)!r}"
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], name
    assert response.headers["X-Content-Type-Options"] == "nosniff", name
    assert response.headers["Referrer-Policy"] == "same-origin", name
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_every_kind_of_response_carries_the_security_headers(client, auth, member):
    responses = _responses(client, member, auth)
    assert responses["static file"].status_code == 200
    assert responses["404 page"].status_code == 404
    for name, response in responses.items():
        _assert_security_headers(name, response)
        assert "Strict-Transport-Security" not in response.headers, name


def test_pages_are_not_cached(client, auth, member):
    auth.login(member)
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_cookies_are_httponly_and_samesite_lax(client, member):
    cookies = []
    for response in (
        client.post("/auth/login", data={"email": member.email, "password": member.test_password}),
        client.post("/auth/login/code", data={"code": totp_code(member)}),
    ):
        cookies += response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        flags = [flag.strip().lower() for flag in cookie.split(";")[1:]]
        assert "httponly" in flags, cookie
        assert "samesite=lax" in flags, cookie


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-key-for-the-test-only-0123456789")
    monkeypatch.setenv("TOTP_ENCRYPTION_KEY", "a-separate-key-for-totp-secrets-9876543210")


@pytest.fixture
def production_app(app, database, production_env):
    application = create_app("production", {"SQLALCHEMY_DATABASE_URI": database})
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("missing", ["SECRET_KEY", "TOTP_ENCRYPTION_KEY"])
def test_production_refuses_to_start_without_its_secrets(production_env, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        create_app("production")


def test_production_uses_its_secrets_from_the_environment(production_app):
    assert production_app.config["SECRET_KEY"].startswith("a-production-secret-key")
    assert production_app.config["TOTP_ENCRYPTION_KEY"].startswith("a-separate-key")
    assert production_app.config["WTF_CSRF_ENABLED"] is not False


def test_production_session_cookie_is_host_prefixed_and_secure(production_app):
    client = production_app.test_client()
    # The login form stores its CSRF token in the session, so the cookie is set.
    response = client.get("/auth/login", base_url="https://liaison.example.org")
    assert response.status_code == 200
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    name = cookies[0].split("=", 1)[0]
    flags = [flag.strip().lower() for flag in cookies[0].split(";")[1:]]
    assert name == "__Host-liaison"
    assert "secure" in flags
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "path=/" in flags
    assert not any(flag.startswith("domain=") for flag in flags)


def test_production_sends_hsts_on_every_response(production_app):
    client = production_app.test_client()
    for path in ("/auth/login", "/no-such-page", "/static/css/liaison.css", "/healthz"):
        response = client.get(path, base_url="https://liaison.example.org")
        response.close()
        _assert_security_headers(path, response)
        assert response.headers["Strict-Transport-Security"].startswith("max-age="), path


# --- templates ---------------------------------------------------------------------------

_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
_EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
_STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def _page_templates() -> list[Path]:
    """Every template a browser renders; e-mail templates are read by mail clients, not us."""
    found = [
        path
        for path in TEMPLATES.rglob("*.html")
        if "email" not in path.relative_to(TEMPLATES).parts
    ]
    assert found
    return found


def _problems(text: str) -> list[str]:
    problems = []
    for attributes, body in _SCRIPT.findall(text):
        if body.strip() or "src=" not in attributes:
            problems.append("inline <script>")
    if _EVENT_HANDLER.search(text):
        problems.append("inline event handler")
    if _STYLE_ATTRIBUTE.search(text):
        problems.append("style= attribute")
    if _STYLE_ELEMENT.search(text):
        problems.append("<style> element")
    return problems


def test_the_template_scan_finds_what_csp_would_block():
    assert _problems('<script src="/static/js/a.js" defer></script>') == []
    assert _problems("<script>alert(1)</script>") == ["inline <script>"]
    assert _problems('<button onclick="go()">') == ["inline event handler"]
    assert _problems('<p style="color: red">') == ["style= attribute"]
    assert _problems("<style>p {}</style>") == ["<style> element"]


def test_templates_need_no_inline_script_or_style():
    found = {
        str(path.relative_to(TEMPLATES)): problems
        for path in _page_templates()
        if (problems := _problems(path.read_text()))
    }
    assert found == {}
