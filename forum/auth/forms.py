"""Forms for login, enrolment, invitations, password reset and account security."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length

# Generous enough for any real password; bounded so a megabyte "password" is refused
# before it reaches argon2.
_PASSWORD_FIELD_MAX = 4096


def _password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=_PASSWORD_FIELD_MAX)],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=_PASSWORD_FIELD_MAX)],
        render_kw={"autocomplete": "new-password"},
    )


class CodeField(StringField):
    """A one-time or recovery code: like a password, never written back into the page."""

    def _value(self) -> str:
        return ""


def _code_field():
    return CodeField(
        _l("Authentication code"),
        validators=[DataRequired(), Length(max=32)],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "text",
            "autocapitalize": "off",
            "spellcheck": "false",
        },
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = _password_field(_l("Password"))
    submit = SubmitField(_l("Continue"))


class CodeForm(FlaskForm):
    code = _code_field()
    submit = SubmitField(_l("Log in"))


class ReauthForm(FlaskForm):
    password = _password_field(_l("Password"))
    code = _code_field()
    submit = SubmitField(_l("Confirm"))


class EnrolTotpForm(FlaskForm):
    code = _code_field()
    submit = SubmitField(_l("Confirm and turn on two-factor authentication"))


class AcceptInvitationForm(FlaskForm):
    display_name = StringField(
        _l("Your name"),
        validators=[DataRequired(), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password = _new_password_field(_l("Password"))
    confirmation = _new_password_field(_l("Repeat the password"))
    submit = SubmitField(_l("Continue"))


class RequestResetForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    submit = SubmitField(_l("Send me a reset link"))


class ResetPasswordForm(FlaskForm):
    password = _new_password_field(_l("New password"))
    confirmation = _new_password_field(_l("Repeat the new password"))
    code = _code_field()
    submit = SubmitField(_l("Set the new password"))


class ChangePasswordForm(FlaskForm):
    current_password = _password_field(_l("Current password"))
    password = _new_password_field(_l("New password"))
    confirmation = _new_password_field(_l("Repeat the new password"))
    submit = SubmitField(_l("Change password"))


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    submit = SubmitField(_l("Change email"))


class PreferencesForm(FlaskForm):
    language = SelectField(_l("Language"), choices=[])
    submit = SubmitField(_l("Save"))


class ConfirmForm(FlaskForm):
    """An empty form: a button whose POST carries only the CSRF token."""

    submit = SubmitField(_l("Confirm"))
