from __future__ import annotations

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import EmailField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from forum.auth.models import Role

ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.FOCAL_POINT: _l("Focal point"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Administrator"),
}


def state_choices() -> list[SelectChoice]:
    states = sorted(pycountry.countries, key=lambda country: country.name)
    return [SelectChoice("", "—")] + [SelectChoice(c.alpha_2, c.name) for c in states]


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
    )
    state_code = SelectField(_l("State"), choices=[], validators=[Optional()])
    authority_name = StringField(_l("Authority"), validators=[Length(max=200)])
    submit = SubmitField(_l("Send invitation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state_code.choices = state_choices()


class ReasonForm(FlaskForm):
    """Every staff decision carries a reason, kept in the audit log."""

    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class OptionalReasonForm(FlaskForm):
    reason = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class SuspendForm(ReasonForm):
    until = DateField(_l("Suspended until (empty: until lifted)"), validators=[Optional()])


class RoleForm(ReasonForm):
    role = SelectField(
        _l("New role"),
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
    )


class NoticeForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])


class MemberFilterForm(FlaskForm):
    """GET filters on the members page (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=[], validators=[Optional()])
    authority = StringField(_l("Authority"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        validators=[Optional()],
    )
    status = SelectField(
        _l("Status"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("active", _l("active")),
            SelectChoice("invited", _l("invited")),
            SelectChoice("suspended", _l("suspended")),
            SelectChoice("deactivated", _l("deactivated")),
        ],
        validators=[Optional()],
    )
    seen = SelectField(
        _l("Last seen"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("inactive", _l("not seen for a long time")),
            SelectChoice("never", _l("never")),
            SelectChoice("recent", _l("in the last 30 days")),
        ],
        validators=[Optional()],
    )
    two_factor = SelectField(
        _l("Two-factor"),
        choices=[
            SelectChoice("", "—"),
            SelectChoice("yes", _l("enrolled")),
            SelectChoice("no", _l("not enrolled")),
        ],
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state.choices = state_choices()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    actor = StringField(_l("Actor (email or id)"), validators=[Optional(), Length(max=254)])
    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)])
    target = StringField(_l("Target (type or type:id)"), validators=[Optional(), Length(max=110)])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("To"), validators=[Optional()])
