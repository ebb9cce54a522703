"""Chat forms (HTML fallbacks and management; messages themselves travel over Socket.IO)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length


class StartDirectForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])


class GroupForm(FlaskForm):
    title = StringField(_l("Group name"), validators=[DataRequired(), Length(max=120)])
    # Comma-separated member ids, filled by picking people from the member search.
    member_ids = HiddenField()


class RenameForm(FlaskForm):
    title = StringField(_l("Group name"), validators=[DataRequired(), Length(max=120)])


class AddMemberForm(FlaskForm):
    user_id = HiddenField(validators=[DataRequired()])


class ReceiptsForm(FlaskForm):
    read_receipts = BooleanField(_l("Send read receipts (and see other people's)"))
