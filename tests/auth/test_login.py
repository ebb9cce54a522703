"""Two-step login: password, then TOTP or recovery code; one generic error for every failure."""

from __future__ import annotations

import sqlalchemy as sa

from forum.extensions import db
from forum.security.audit import AuditEvent
from tests.factories import make_user
from tests.factories import totp_code


def _audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_with_password_and_code_reaches_home(client, auth, member):
    response = auth.login(member)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Marie Membre" in home.text
    assert "login.success" in _audit_actions()


def test_password_alone_does_not_open_any_page(client, member):
    response = client.post(
        "/auth/login", data={"email": member.email, "password": member.test_password}
    )
    assert response.headers["Location"] == "/auth/login/code"
    assert client.get("/").status_code == 302
    assert client.get("/account/security").headers["Location"].startswith("/auth/login")


def test_replayed_code_is_refused(client, auth, member):
    code = totp_code(member)
    assert auth.login(member, code=code).status_code == 302
    auth.logout()
    response = auth.login(member, code=code)
    assert response.status_code == 400
    assert "not correct" in response.text
    assert client.get("/").status_code == 302


def test_replayed_code_is_refused_from_another_session(app, member):
    first, second = app.test_client(), app.test_client()
    for browser in (first, second):
        browser.post("/auth/login", data={"email": member.email, "password": member.test_password})
    code = totp_code(member)
    assert first.post("/auth/login/code", data={"code": code}).status_code == 302
    assert second.post("/auth/login/code", data={"code": code}).status_code == 400


def test_unknown_email_and_wrong_password_answer_the_same(client, member):
    answers = []
    for email, password in (
        (member.email, "wrong password entirely"),
        ("nobody@example.org", "x" * 12),
    ):
        first = client.post("/auth/login", data={"email": email, "password": password})
        second = client.post("/auth/login/code", data={"code": "123456"})
        answers.append(
            (
                first.status_code,
                first.headers["Location"],
                second.status_code,
                second.text.replace(email, ""),
            )
        )
        client.get("/auth/login")
    assert answers[0] == answers[1]
    assert "login.failure" in _audit_actions()


def test_right_password_wrong_code_gives_the_same_message(client, member):
    client.post("/auth/login", data={"email": member.email, "password": member.test_password})
    wrong_code = client.post("/auth/login/code", data={"code": "000000"})
    client.post("/auth/login", data={"email": member.email, "password": "not the password"})
    wrong_password = client.post("/auth/login/code", data={"code": totp_code(member)})
    assert wrong_code.status_code == wrong_password.status_code == 400
    assert "The email, password or authentication code is not correct." in wrong_code.text
    assert "The email, password or authentication code is not correct." in wrong_password.text


def test_recovery_code_works_once(app, client, auth):
    from forum.auth import totp as totp_module

    user = make_user()
    codes = totp_module.new_recovery_codes(user)
    db.session.commit()
    assert auth.login(user, code=codes[0].upper()).status_code == 302
    assert "recovery_code.used" in _audit_actions()
    auth.logout()
    assert auth.login(user, code=codes[0]).status_code == 400
    assert auth.login(user, code=codes[1]).status_code == 302


def test_suspended_account_cannot_log_in(client, auth):
    user = make_user(status="suspended")
    response = auth.login(user)
    assert response.status_code in (400, 403)
    assert client.get("/").status_code == 302
