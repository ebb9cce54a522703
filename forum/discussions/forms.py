"""Forms for threads, replies, edits, case examples, spaces, flags and moderation."""

from __future__ import annotations

import pycountry
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import MultipleFileField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from forum.discussions.actions import MAX_BODY
from forum.discussions.actions import MAX_TITLE

COOPERATION_TYPES = {
    "mla": _l("Mutual legal assistance"),
    "extradition": _l("Extradition"),
    "transfer": _l("Transfer of sentenced persons"),
    "confiscation": _l("Confiscation"),
    "other": _l("Other"),
}
LEGAL_BASES = {
    "untoc": _l("UNTOC article"),
    "treaty": _l("Treaty"),
    "reciprocity": _l("Reciprocity"),
}
OUTCOMES = {
    "granted": _l("Granted"),
    "partly": _l("Partly granted"),
    "refused": _l("Refused"),
    "pending": _l("Pending"),
    "withdrawn": _l("Withdrawn"),
}


def _choices(labels: dict, blank: str | None = None) -> list[SelectChoice]:
    first = [SelectChoice("", blank)] if blank is not None else []
    return first + [SelectChoice(key, label) for key, label in labels.items()]


def state_choices(blank: str = "—") -> list[SelectChoice]:
    states = sorted(pycountry.countries, key=lambda country: country.name)
    return [SelectChoice("", blank)] + [SelectChoice(c.alpha_2, c.name) for c in states]


def _body(label=None):
    return TextAreaField(
        label or _l("Message"),
        validators=[DataRequired(), Length(max=MAX_BODY)],
        render_kw={"rows": 8, "data-mentions": "1", "data-draft": "1"},
    )


class ReplyForm(FlaskForm):
    body = _body(_l("Your reply"))
    quote_of = HiddenField()
    files = MultipleFileField(_l("Attachments"))


class ThreadForm(FlaskForm):
    category = SelectField(_l("Category"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=MAX_TITLE)])
    body = _body()
    files = MultipleFileField(_l("Attachments"))
    # Case example fields, used when the thread is a case example.
    cooperation_type = SelectField(
        _l("Cooperation type"), choices=_choices(COOPERATION_TYPES), validate_choice=False
    )
    requesting_state = SelectField(
        _l("Requesting State"), choices=state_choices(), validate_choice=False
    )
    requested_state = SelectField(
        _l("Requested State"), choices=state_choices(), validate_choice=False
    )
    legal_basis = SelectField(
        _l("Legal basis"), choices=_choices(LEGAL_BASES), validate_choice=False
    )
    legal_basis_detail = StringField(
        _l("Legal basis in detail (article, treaty)"), validators=[Length(max=200)]
    )
    offence = StringField(_l("Offence"), validators=[Length(max=200)])
    outcome = SelectField(_l("Outcome"), choices=_choices(OUTCOMES), validate_choice=False)
    duration_months = IntegerField(
        _l("Duration (months)"), validators=[Optional(), NumberRange(min=0, max=600)]
    )
    lessons_learned = TextAreaField(
        _l("Lessons learned"), validators=[Length(max=5000)], render_kw={"rows": 4}
    )

    def case_problems(self) -> bool:
        """True unless the case fields hold known values (required ones present)."""
        states = {c.value for c in state_choices()}
        return not (
            self.cooperation_type.data in COOPERATION_TYPES
            and self.legal_basis.data in LEGAL_BASES
            and self.outcome.data in OUTCOMES
            and (self.requesting_state.data or "") in states
            and (self.requested_state.data or "") in states
        )

    def case_fields(self) -> dict:
        return {
            "cooperation_type": self.cooperation_type.data,
            "requesting_state": self.requesting_state.data or None,
            "requested_state": self.requested_state.data or None,
            "legal_basis": self.legal_basis.data,
            "legal_basis_detail": (self.legal_basis_detail.data or "").strip(),
            "offence": (self.offence.data or "").strip(),
            "outcome": self.outcome.data,
            "duration_months": self.duration_months.data,
            "lessons_learned": (self.lessons_learned.data or "").strip(),
        }


class EditPostForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Optional(), Length(max=MAX_TITLE)])
    body = _body()


class ReasonForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])


class ModerateThreadForm(ReasonForm):
    action = SelectField(
        _l("Action"),
        choices=[
            SelectChoice("pin", _l("Pin")),
            SelectChoice("unpin", _l("Unpin")),
            SelectChoice("lock", _l("Lock")),
            SelectChoice("unlock", _l("Unlock")),
            SelectChoice("hide", _l("Hide")),
            SelectChoice("unhide", _l("Unhide")),
            SelectChoice("move", _l("Move to category")),
        ],
    )
    category = SelectField(_l("Category"), validators=[Optional()])


class SpaceForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Length(max=500)])
    ends_on = DateField(_l("End date (optional)"), validators=[Optional()])


class SpaceMemberForm(FlaskForm):
    email = EmailField(_l("Member's email"), validators=[DataRequired(), Length(max=254)])
    role = SelectField(
        _l("Role in the space"),
        choices=[SelectChoice("member", _l("Member")), SelectChoice("owner", _l("Owner"))],
    )


class CategoryForm(FlaskForm):
    slug = StringField(_l("Short name in addresses"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    description = StringField(_l("Description"), validators=[Length(max=500)])
    position = IntegerField(_l("Position"), validators=[Optional(), NumberRange(min=0, max=999)])


EMAIL_MODES = {
    "immediately": _l("Immediately"),
    "daily": _l("Daily digest"),
    "off": _l("Off"),
}


class SettingsForm(FlaskForm):
    email_mode = SelectField(_l("E-mail me about notifications"), choices=_choices(EMAIL_MODES))
