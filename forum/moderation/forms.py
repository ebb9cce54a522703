from __future__ import annotations

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
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
