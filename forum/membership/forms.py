from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional

from forum.moderation.forms import state_choices


class ApplicationForm(FlaskForm):
    display_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(
        _l("Official email"),
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    state_code = SelectField(_l("State"), choices=[], validators=[DataRequired()])
    authority_name = StringField(_l("Authority"), validators=[DataRequired(), Length(max=200)])
    function = StringField(_l("Your function"), validators=[DataRequired(), Length(max=200)])
    motivation = TextAreaField(
        _l("Why do you need access?"), validators=[DataRequired(), Length(min=20, max=3000)]
    )
    # Hidden from people by CSS; a bot that fills every field reveals itself.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.state_code.choices = state_choices()
