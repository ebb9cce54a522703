"""Deny by default, proven over the whole URL map.

Every rule and method (HEAD/OPTIONS aside) outside an explicit allow-list refuses a visitor
who is not signed in, a visitor who gave only the right password, and an account that still
has to enrol its second factor. Every endpoint declares an access rule, an endpoint without
one is refused, staff pages refuse members and admin pages refuse moderators.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from forum.auth.models import Role
from forum.security.access import PUBLIC
from forum.security.access import access_rule_for
from forum.security.access import login_required
from forum.security.access import public
from tests.factories import make_user
from tests.factories import totp_code
from tests.security.walk import ENROLMENT_ENDPOINTS
from tests.security.walk import PUBLIC_ENDPOINTS
from tests.security.walk import route_requests
from tests.security.walk import send


def _refused(response, *, login_pages: tuple[str, ...] = ("/auth/login",)) -> bool:
    """A refusal: a redirect to a login step, or 401/403/404. Never a page."""
    if response.status_code in (401, 403, 404):
        return True
    if response.status_code in (302, 303):
        return urlsplit(response.headers["Location"]).path in login_pages
    return False


def _protected_requests(app, *, also_allowed: frozenset[str] = frozenset()):
    requests = [
        r
        for r in route_requests(app)
        if r.endpoint not in PUBLIC_ENDPOINTS | also_allowed and not r.endpoint.endswith(".static")
    ]
    assert requests, "the URL map has no protected routes: the walk found nothing to check"
    return requests


def _refusals_failed(client, requests, **kwargs) -> list[str]:
    return [
        f"{request} answered {response.status_code} {response.headers.get('Location', '')}"
        for request in requests
        if not _refused(response := send(client, request), **kwargs)
    ]


def test_the_allow_list_names_real_endpoints(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= endpoints
    assert ENROLMENT_ENDPOINTS <= endpoints


def test_every_endpoint_declares_an_access_rule(app):
    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules() if access_rule_for(rule.endpoint) is None
    ]
    assert undeclared == []


def test_only_allow_listed_endpoints_are_public(app):
    public_endpoints = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if access_rule_for(rule.endpoint) == PUBLIC
        and not rule.endpoint.endswith(".static")  # a blueprint's own static files
    }
    assert public_endpoints == PUBLIC_ENDPOINTS


def test_anonymous_visitor_is_refused_everywhere_but_public_pages(app, client):
    assert _refusals_failed(client, _protected_requests(app)) == []


def test_anonymous_get_is_sent_to_login_with_the_page_to_come_back_to(client):
    response = client.get("/account/security")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=/account/security"


def test_password_without_code_is_refused_everywhere_but_public_pages(app, client, member):
    response = client.post(
        "/auth/login", data={"email": member.email, "password": member.test_password}
    )
    assert response.headers["Location"] == "/auth/login/code"
    assert _refusals_failed(client, _protected_requests(app)) == []
    # The half login is still waiting for its code: the walk did not end or complete it.
    assert client.get("/auth/login/code").status_code == 200


def test_enrolment_session_reaches_only_enrolment_and_logout(app, client):
    newcomer = make_user(enrolled=False)
    response = client.post(
        "/auth/login", data={"email": newcomer.email, "password": newcomer.test_password}
    )
    assert response.headers["Location"] == "/auth/enrol"
    requests = _protected_requests(app, also_allowed=ENROLMENT_ENDPOINTS)
    failures = _refusals_failed(client, requests, login_pages=("/auth/login", "/auth/enrol"))
    assert failures == []
    assert client.get("/auth/enrol").status_code == 200


def test_full_login_is_not_sent_back_to_enrolment(client, auth, member):
    auth.login(member)
    response = client.get("/auth/enrol")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    ("prefix", "role", "expected_role"),
    [("moderation.", Role.MEMBER, "member"), ("admin.", Role.MODERATOR, "moderator")],
)
def test_staff_pages_refuse_lower_roles_with_403(app, client, auth, prefix, role, expected_role):
    user = make_user(role=role, state_code=None)
    assert user.role == expected_role
    auth.login(user)
    requests = [r for r in route_requests(app) if r.endpoint.startswith(prefix)]
    assert requests, f"no {prefix}* routes found"
    answers = {str(request): send(client, request).status_code for request in requests}
    assert answers == {str(request): 403 for request in requests}


def test_staff_pages_open_for_the_right_role(client, auth, moderator, admin_user):
    auth.login(moderator)
    assert client.get("/moderation/invitations").status_code == 200
    auth.logout()
    auth.login(admin_user)
    assert client.get("/admin/users").status_code == 200


def test_a_view_without_a_decorator_is_refused(app_factory, member):
    fresh = app_factory()

    def forgotten():
        return "secret page"

    fresh.add_url_rule("/test-only/forgotten", "forgotten", forgotten)
    fresh.add_url_rule("/test-only/declared", "declared", login_required(lambda: "members"))
    fresh.add_url_rule("/test-only/public", "open", public(lambda: "anyone"))
    client = fresh.test_client()
    anonymous = client.get("/test-only/forgotten")
    assert anonymous.status_code == 403
    assert "secret page" not in anonymous.text
    assert client.get("/test-only/public").text == "anyone"

    client.post("/auth/login", data={"email": member.email, "password": member.test_password})
    client.post("/auth/login/code", data={"code": totp_code(member)})
    assert client.get("/test-only/declared").text == "members"
    signed_in = client.get("/test-only/forgotten")
    assert signed_in.status_code == 403
    assert "secret page" not in signed_in.text
