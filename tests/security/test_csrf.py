"""CSRF: every POST without a valid token is refused with 400 and writes nothing.

The refusal page gives back the user's non-secret draft and never a password or code.
No GET request writes to the database, and logging out takes a POST.
"""

from __future__ import annotations

import re

import pytest
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.fields.core import UnboundField

from forum import errors
from tests.factories import totp_code
from tests.security.walk import database_snapshot
from tests.security.walk import route_requests
from tests.security.walk import send

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DRAFT = "Draft reply: the requested bank records were sent on 3 March via the central authority."
SECRETS = {
    "password": "correct horse battery staple",
    "current_password": "an old passphrase nobody should see",
    "confirmation": "correct horse battery staple",
    "code": "918273",
}


def _csrf_token(page) -> str:
    match = _TOKEN.search(page.text)
    assert match, "the page has no CSRF token"
    return match.group(1)


@pytest.fixture
def csrf_app(app, app_factory):
    """An app with CSRF protection on, on the same (emptied) database as ``app``."""
    return app_factory(WTF_CSRF_ENABLED=True)


def _login_with_tokens(client, user) -> None:
    """Log in as a browser does: every form carries the token from the page it came from."""
    page = client.get("/auth/login")
    client.post(
        "/auth/login",
        data={"email": user.email, "password": user.test_password, "csrf_token": _csrf_token(page)},
    )
    page = client.get("/auth/login/code")
    response = client.post(
        "/auth/login/code", data={"code": totp_code(user), "csrf_token": _csrf_token(page)}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_forms_carry_a_token_and_login_works_with_it(csrf_app, admin_user):
    client = csrf_app.test_client()
    _login_with_tokens(client, admin_user)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("token", [None, "forged-token"], ids=["missing", "forged"])
def test_every_post_route_refuses_a_request_without_a_valid_token(csrf_app, admin_user, token):
    client = csrf_app.test_client()
    _login_with_tokens(client, admin_user)
    data = {"email": "someone@example.org", "reason": "testing", "language": "fr"}
    if token:
        data["csrf_token"] = token
    before = database_snapshot()
    requests = route_requests(csrf_app, methods={"POST"})
    assert requests, "the URL map has no POST routes"
    answers = {str(r): send(client, r, data=data).status_code for r in requests}
    assert answers == {str(r): 400 for r in requests}
    assert database_snapshot() == before
    # The refused logout did not end the session either.
    assert client.get("/").status_code == 200


def test_refusal_page_keeps_the_draft_and_never_the_secrets(csrf_app, admin_user):
    client = csrf_app.test_client()
    _login_with_tokens(client, admin_user)
    response = client.post(
        "/moderation/invitations",
        data={"authority_name": DRAFT, "csrf_token": "forged-token", **SECRETS},
    )
    assert response.status_code == 400
    assert "site-header" in response.text
    assert DRAFT in response.text
    for name, secret in SECRETS.items():
        assert secret not in response.text, f"the {name} field was echoed"
    assert "forged-token" not in response.text


def _form_classes(cls=FlaskForm):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _form_classes(subclass)


def test_every_secret_field_is_kept_out_of_the_refusal_page(app):
    """Password fields and code fields are named in the list the 400 page never shows."""
    secret_fields = set()
    for form_class in _form_classes():
        for name in dir(form_class):
            field = getattr(form_class, name)
            if not isinstance(field, UnboundField):
                continue
            render_kw = field.kwargs.get("render_kw") or {}
            is_code = render_kw.get("autocomplete") == "one-time-code"
            if issubclass(field.field_class, PasswordField) or is_code:
                secret_fields.add(name)
    assert {"password", "code"} <= secret_fields
    assert secret_fields <= errors._SENSITIVE_FIELDS


def test_logout_takes_a_post(client, auth, member):
    auth.login(member)
    assert client.get("/auth/logout").status_code == 405
    assert client.get("/").status_code == 200
    logout_rules = [
        r for r in client.application.url_map.iter_rules() if r.endpoint == "auth.logout"
    ]
    assert [sorted(r.methods - {"OPTIONS"}) for r in logout_rules] == [["POST"]]


def test_no_get_request_writes_to_the_database(app, client, auth, admin_user):
    auth.login(admin_user)
    before = database_snapshot()
    requests = route_requests(app, methods={"GET"})
    assert requests
    writes = []
    for request in requests:
        response = send(client, request)
        assert response.status_code < 500, str(request)
        if database_snapshot() != before:
            writes.append(str(request))
            before = database_snapshot()
    assert writes == []
    # Still the same signed-in session: no GET logged the user out.
    assert client.get("/").status_code == 200
