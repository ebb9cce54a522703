"""Error pages: every 4xx we answer and 500 render in the site layout, with the right status,
in the user's language, and never with a traceback.
"""

from __future__ import annotations

import pytest
from flask import abort
from markupsafe import escape

from forum.extensions import db
from forum.security.access import public
from tests.catalogues import compile_catalogues
from tests.factories import make_user
from tests.factories import totp_code

SECRET_IN_EXCEPTION = "database password is hunter2"


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    compile_catalogues()


@pytest.fixture
def error_app(app, app_factory):
    """A fresh app with small limits and test-only routes that fail on purpose."""
    application = app_factory(MAX_CONTENT_LENGTH=1024, LOGIN_IP_LIMIT="2 per minute")

    @public
    def bad_request():
        abort(400)

    @public
    def crash():
        raise RuntimeError(SECRET_IN_EXCEPTION)

    application.add_url_rule("/test-only/bad-request", "bad_request", bad_request)
    application.add_url_rule("/test-only/crash", "crash", crash)
    return application


def _log_in(client, user) -> None:
    client.post("/auth/login", data={"email": user.email, "password": user.test_password})
    response = client.post("/auth/login/code", data={"code": totp_code(user)})
    assert response.status_code == 302


def _assert_error_page(response, status: int, title: str):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    page = response.text
    assert '<header class="site-header">' in page
    assert '<footer class="site-footer">' in page
    assert f"{title} <span" in page
    assert f"({status})" in page
    assert "Traceback" not in page
    assert SECRET_IN_EXCEPTION not in page


def test_400(error_app):
    _assert_error_page(error_app.test_client().get("/test-only/bad-request"), 400, "Bad request")


def test_403_for_a_page_above_the_users_role(error_app, member):
    client = error_app.test_client()
    _log_in(client, member)
    _assert_error_page(client.get("/admin/users"), 403, "Not allowed")


def test_404(error_app):
    _assert_error_page(error_app.test_client().get("/no/such/page"), 404, "Not found")


def test_405_names_the_allowed_methods(error_app):
    response = error_app.test_client().get("/auth/logout")
    _assert_error_page(response, 405, "Not allowed")
    assert "POST" in response.headers["Allow"]


def test_413_for_a_body_over_the_limit(error_app):
    response = error_app.test_client().post(
        "/auth/login", data={"email": "a@example.org", "password": "x" * 4096}
    )
    _assert_error_page(response, 413, "Too large")


def test_429_after_too_many_attempts(error_app):
    client = error_app.test_client()
    data = {"email": "nobody@example.org", "password": "not the password"}
    statuses = [client.post("/auth/login", data=data).status_code for _ in range(2)]
    assert 429 not in statuses
    _assert_error_page(client.post("/auth/login", data=data), 429, "Too many requests")


def test_500_hides_the_exception(error_app, caplog):
    response = error_app.test_client().get("/test-only/crash")
    _assert_error_page(response, 500, "Something went wrong")
    assert SECRET_IN_EXCEPTION in caplog.text  # logged for operators, not shown


def test_json_clients_get_json_errors(error_app):
    response = error_app.test_client().get("/no/such/page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json == {
        "error": "Not found",
        "message": "This page does not exist, or you do not have access to it.",
    }


def test_404_in_french(error_app):
    response = error_app.test_client().get("/no/such/page", headers={"Accept-Language": "fr"})
    _assert_error_page(response, 404, "Page introuvable")
    assert '<html lang="fr">' in response.text
    assert escape("Cette page n'existe pas ou vous n'y avez pas accès.") in response.text


def test_error_page_uses_the_users_language(error_app):
    user = make_user()
    user.preferred_language = "es"
    db.session.commit()
    client = error_app.test_client()
    _log_in(client, user)
    response = client.get("/no/such/page", headers={"Accept-Language": "fr"})
    _assert_error_page(response, 404, "Página no encontrada")
