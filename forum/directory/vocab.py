"""The directory's fixed vocabularies: designations, channels, measures, yes/no answers."""

from __future__ import annotations

import functools

import pycountry
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from markupsafe import escape

# The instruments an entry can be designated under (PRODUCT.md), plus "other" with text.
DESIGNATIONS = {
    "untoc_mla": _l("UNTOC art. 18(13) — central authority for mutual legal assistance"),
    "untoc_extradition": _l("UNTOC art. 16 — extradition"),
    "untoc_transfer": _l("UNTOC art. 17 — transfer of sentenced persons"),
    "som_sea": _l("Smuggling of Migrants Protocol art. 8(6) — smuggling of migrants by sea"),
    "uncac_mla": _l("UNCAC art. 46(13) — central authority for mutual legal assistance"),
    "drugs_mla": _l("1988 Drug Convention art. 7(8) — mutual legal assistance"),
    "drugs_sea": _l("1988 Drug Convention art. 17 — illicit traffic by sea"),
    "other": _l("Other designation"),
}

CHANNELS = {
    "direct": _l("Direct transmission"),
    "diplomatic": _l("Diplomatic channels"),
    "interpol": _l("INTERPOL"),
    "regional": _l("Regional network"),
    "other": _l("Other channel"),
}

# The routing helper's measures, each answered by the entries holding one of its designations.
MEASURES = {
    "mla": (_l("Mutual legal assistance"), ("untoc_mla",)),
    "extradition": (_l("Extradition"), ("untoc_extradition",)),
    "transfer": (_l("Transfer of sentenced persons"), ("untoc_transfer",)),
    "migrants_sea": (_l("Smuggling of migrants by sea"), ("som_sea",)),
    "corruption_mla": (_l("Mutual legal assistance — corruption"), ("uncac_mla", "untoc_mla")),
    "drugs_mla": (_l("Mutual legal assistance — drugs"), ("drugs_mla", "untoc_mla")),
}

YES_NO = {"": _l("Not stated"), "yes": _l("Yes"), "no": _l("No")}
LEGAL_BASIS = {
    "": _l("Not stated"),
    "yes": _l("Accepted as legal basis"),
    "no": _l("Not accepted as legal basis"),
}
VISIBILITY = {"public": _l("Public"), "members": _l("Members only")}
TREATY_KINDS = {
    "bilateral": _l("Bilateral treaty"),
    "regional": _l("Regional treaty"),
    "arrangement": _l("Alternative arrangement"),
}
RESOURCE_CATEGORIES = {
    "model_treaty": _l("Model treaties"),
    "model_law": _l("Model laws"),
    "manual": _l("Manuals and guides"),
    "tool": _l("Request writing tools"),
    "report": _l("Workshop reports"),
    "other": _l("Other"),
}


@functools.cache
def language_name(code: str) -> str:
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language else code


@functools.cache
def language_choices() -> tuple[tuple[str, str], ...]:
    """Every ISO 639-1 language, by English name."""
    languages = [lang for lang in pycountry.languages if hasattr(lang, "alpha_2")]
    return tuple(sorted(((lang.alpha_2, lang.name) for lang in languages), key=lambda x: x[1]))


@functools.cache
def _language_options_html() -> str:
    return "".join(
        f'<option value="{escape(code)}">{escape(name)}</option>'
        for code, name in language_choices()
    )


@functools.cache
def _language_codes() -> frozenset[str]:
    return frozenset(code for code, _name in language_choices())


def language_options(selected: str = "") -> Markup:
    """The ``<option>``s of every language (rendered once), ``selected`` marked."""
    html = _language_options_html()
    if selected in _language_codes():
        mark = f'<option value="{selected}">'
        html = html.replace(mark, mark[:-1] + " selected>", 1)
    return Markup(html)


def is_language(code: str) -> bool:
    return pycountry.languages.get(alpha_2=code) is not None
