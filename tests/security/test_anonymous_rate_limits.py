"""Every form an anonymous visitor can POST is rate-limited per address (security review).

The walk finds each public endpoint that accepts POST; with every configurable limit set to
two an hour, the third POST from one address must be answered 429. Logging out is the only
exception: it ends the caller's own session and nothing else.
"""

from __future__ import annotations

from tests.security.walk import PUBLIC_ENDPOINTS
from tests.security.walk import route_requests

UNLIMITED = frozenset({"auth.logout"})
TWO_AN_HOUR = "2 per hour"


def test_invitation_token_guessing_is_rate_limited_like_every_anonymous_post(app_factory):
    app = app_factory(
        LOGIN_IP_LIMIT=TWO_AN_HOUR,
        RESET_IP_LIMIT=TWO_AN_HOUR,
        APPLY_IP_LIMIT=TWO_AN_HOUR,
        APPLY_DOMAIN_LIMIT=TWO_AN_HOUR,
    )
    posts = [
        r
        for r in route_requests(app, methods={"POST"})
        if r.endpoint in PUBLIC_ENDPOINTS - UNLIMITED
    ]
    assert {r.endpoint for r in posts} >= {"auth.accept_invitation", "membership.apply"}
    unlimited = []
    for request in posts:
        client = app.test_client()
        answers = [
            client.post(request.url, data={"email": "x@example.org"}).status_code for _ in range(3)
        ]
        if answers[-1] != 429:
            unlimited.append(f"{request} answered {answers}")
    assert not unlimited, unlimited
