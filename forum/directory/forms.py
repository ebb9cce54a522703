"""Forms for editing entries, contacts and State profiles, the import and the library.

The rules themselves live in :mod:`forum.directory.validation`, shared with the import;
these forms carry the fields, CSRF and the labels.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms import URLField
from wtforms.validators import URL
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from forum.directory.vocab import CHANNELS
from forum.directory.vocab import DESIGNATIONS
from forum.directory.vocab import LEGAL_BASIS
from forum.directory.vocab import RESOURCE_CATEGORIES
from forum.directory.vocab import VISIBILITY
from forum.directory.vocab import YES_NO
from forum.directory.vocab import language_choices


def _choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in mapping.items()]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        """Unknown values are reported by the shared validation, in the user's language."""


class EntryForm(FlaskForm):
    name = StringField(_l("Name of the authority"))
    designations = CheckboxesField(_l("Designations"), choices=_choices(DESIGNATIONS))
    designation_other = StringField(_l("Other designation"))
    postal_address = TextAreaField(_l("Postal address"), render_kw={"rows": 3})
    phones = TextAreaField(_l("Phones (one per line)"), render_kw={"rows": 2})
    fax = StringField(_l("Fax"))
    emails = TextAreaField(_l("E-mails (one per line)"), render_kw={"rows": 2})
    website = StringField(_l("Website"))
    office_hours = StringField(_l("Office hours"))
    time_zone = StringField(_l("Time zone (e.g. Europe/Paris, UTC+1)"))
    languages = StringField(_l("Languages accepted for requests (ISO codes, e.g. en fr es)"))
    channels = CheckboxesField(_l("Channels accepted"), choices=_choices(CHANNELS))
    channel_other = StringField(_l("Other channel"))
    urgent_procedure = TextAreaField(_l("Urgent-request procedure"), render_kw={"rows": 3})
    contact_24_7 = StringField(_l("24/7 contact"))
    e_signature_accepted = SelectField(
        _l("Electronic signature accepted"), choices=_choices(YES_NO), validate_choice=False
    )
    encryption_required = SelectField(
        _l("Encryption required"), choices=_choices(YES_NO), validate_choice=False
    )
    originals_required = SelectField(
        _l("Originals required after electronic transmission"),
        choices=_choices(YES_NO),
        validate_choice=False,
    )
    transmission_notes = TextAreaField(
        _l("Electronic transmission requirements"), render_kw={"rows": 2}
    )
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 3})


class ContactForm(FlaskForm):
    name = StringField(_l("Name"))
    title = StringField(_l("Title"))
    phone = StringField(_l("Phone"))
    email = StringField(_l("E-mail"))
    languages = StringField(_l("Languages (ISO codes, e.g. en fr)"))
    is_deputy = BooleanField(_l("Deputy"))


class ProfileForm(FlaskForm):
    mla_requirements = TextAreaField(
        _l("Legal and procedural requirements for mutual legal assistance"), render_kw={"rows": 5}
    )
    extradition_requirements = TextAreaField(
        _l("Legal and procedural requirements for extradition"), render_kw={"rows": 5}
    )
    convention_basis_mla = SelectField(
        _l("The Convention as legal basis for mutual legal assistance"),
        choices=_choices(LEGAL_BASIS),
        validate_choice=False,
    )
    convention_basis_extradition = SelectField(
        _l("The Convention as legal basis for extradition"),
        choices=_choices(LEGAL_BASIS),
        validate_choice=False,
    )
    law_links = TextAreaField(
        _l("National laws and websites (one per line: label | https://…)"), render_kw={"rows": 4}
    )
    treaties = TextAreaField(
        _l(
            "Treaties and arrangements (one per line: title | bilateral, regional or "
            "arrangement | partner State codes | YYYY-MM-DD)"
        ),
        render_kw={"rows": 5},
    )


class VisibilityForm(FlaskForm):
    visibility = SelectField(_l("Who may see this State's section"), choices=_choices(VISIBILITY))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or JSON file"), validators=[DataRequired()])
    dry_run = BooleanField(_l("Dry run: check only, write nothing"), default=True)


class ResourceForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    # A link, a document, or both: the action requires at least one of the two.
    url = URLField(
        _l("Address (https://…)"),
        validators=[Optional(), URL(require_tld=False), Length(max=500)],
    )
    document = FileField(_l("Document"))
    category = SelectField(_l("Category"), choices=_choices(RESOURCE_CATEGORIES))
    language = SelectField(_l("Language"), choices=[])
    description = TextAreaField(_l("Description"), validators=[Length(max=2000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice(code, name) for code, name in language_choices()]
