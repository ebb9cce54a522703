"""Demo directory for a development machine: ten States, fictional entries, one restricted.

Every name, address, number and e-mail below is invented (example.org, 555 numbers) and
every row is flagged ``is_demo``.
"""

from __future__ import annotations

import json

from forum.directory import actions
from forum.directory.cli import seed_states
from forum.directory.models import Resource
from forum.directory.models import State
from forum.extensions import db

# code, visibility, [(authority, designations, languages, channels, city)]
_STATES = [
    (
        "ES",
        "public",
        [
            (
                "Ministry of Justice — Subdirectorate for International Legal Cooperation",
                "untoc_mla untoc_transfer uncac_mla",
                "es en fr",
                "direct diplomatic",
                "Madrid",
            ),
            (
                "Ministry of Justice — Extradition Unit",
                "untoc_extradition",
                "es en",
                "diplomatic",
                "Madrid",
            ),
            (
                "Maritime Rescue and Interdiction Coordination Office",
                "som_sea drugs_sea",
                "es en",
                "direct interpol",
                "Algeciras",
            ),
        ],
    ),
    (
        "GH",
        "public",
        [
            (
                "Office of the Attorney-General — Mutual Legal Assistance Unit",
                "untoc_mla uncac_mla drugs_mla",
                "en",
                "direct diplomatic regional",
                "Accra",
            ),
            (
                "Office of the Attorney-General — Extradition Desk",
                "untoc_extradition",
                "en",
                "diplomatic",
                "Accra",
            ),
        ],
    ),
    (
        "FR",
        "public",
        [
            (
                "Ministry of Justice — Office for Mutual Legal Assistance in Criminal Matters",
                "untoc_mla uncac_mla drugs_mla",
                "fr en",
                "direct diplomatic regional",
                "Paris",
            ),
            (
                "Ministry of Justice — Extradition and Transfer Section",
                "untoc_extradition untoc_transfer",
                "fr",
                "diplomatic",
                "Paris",
            ),
        ],
    ),
    (
        "DE",
        "public",
        [
            (
                "Federal Office of Justice — International Criminal Matters",
                "untoc_mla untoc_extradition untoc_transfer uncac_mla drugs_mla",
                "de en",
                "direct diplomatic regional",
                "Bonn",
            ),
        ],
    ),
    (
        "BR",
        "public",
        [
            (
                "Department of Asset Recovery and International Legal Cooperation",
                "untoc_mla uncac_mla drugs_mla",
                "pt en es",
                "direct diplomatic",
                "Brasília",
            ),
            (
                "Department of Migration — Extradition and Transfer Division",
                "untoc_extradition untoc_transfer",
                "pt",
                "diplomatic",
                "Brasília",
            ),
        ],
    ),
    (
        "KE",
        "public",
        [
            (
                "Office of the Director of Public Prosecutions — International Cooperation Unit",
                "untoc_mla untoc_extradition uncac_mla",
                "en sw",
                "direct diplomatic interpol",
                "Nairobi",
            ),
        ],
    ),
    (
        "CA",
        "public",
        [
            (
                "Department of Justice — International Assistance Group",
                "untoc_mla untoc_extradition uncac_mla drugs_mla",
                "en fr",
                "direct diplomatic",
                "Ottawa",
            ),
            (
                "Public Safety — Transfer of Offenders Unit",
                "untoc_transfer",
                "en fr",
                "direct",
                "Ottawa",
            ),
        ],
    ),
    (
        "MX",
        "public",
        [
            (
                "Office of the Attorney General — General Directorate of International Procedures",
                "untoc_mla untoc_extradition uncac_mla drugs_mla",
                "es en",
                "direct diplomatic",
                "Mexico City",
            ),
        ],
    ),
    (
        "PH",
        "public",
        [
            (
                "Department of Justice — Office of the Chief State Counsel",
                "untoc_mla untoc_extradition untoc_transfer uncac_mla",
                "en",
                "direct diplomatic",
                "Manila",
            ),
            (
                "Coast Guard — Maritime Law Enforcement Command",
                "som_sea drugs_sea",
                "en",
                "direct interpol",
                "Manila",
            ),
        ],
    ),
    (
        "TH",
        "members",
        [
            (
                "Office of the Attorney General — International Affairs Department",
                "untoc_mla untoc_extradition uncac_mla drugs_mla",
                "th en",
                "direct diplomatic",
                "Bangkok",
            ),
        ],
    ),
]

_TREATIES = {
    "ES": [
        {
            "title": "Treaty on Mutual Legal Assistance in Criminal Matters between Spain and "
            "Mexico (demo)",
            "kind": "bilateral",
            "partners": ["MX"],
            "date": "2006-09-29",
        },
        {
            "title": "European Convention on Mutual Assistance in Criminal Matters (demo entry)",
            "kind": "regional",
            "partners": ["FR", "DE"],
            "date": "1959-04-20",
        },
    ],
    "FR": [
        {
            "title": "Extradition treaty between France and Brazil (demo)",
            "kind": "bilateral",
            "partners": ["BR"],
            "date": "1996-06-28",
        },
    ],
}

_RESOURCES = [
    (
        "UNODC Model Treaty on Mutual Assistance in Criminal Matters (demo link)",
        "https://www.unodc.org/",
        "model_treaty",
        "en",
    ),
    (
        "Manual on Mutual Legal Assistance and Extradition (demo link)",
        "https://www.unodc.org/",
        "manual",
        "en",
    ),
    (
        "Mutual Legal Assistance Request Writer Tool (demo link)",
        "https://www.unodc.org/",
        "tool",
        "en",
    ),
    (
        "Loi type sur l'entraide judiciaire (lien de démonstration)",
        "https://www.unodc.org/",
        "model_law",
        "fr",
    ),
]


def _domain(name: str, code: str) -> str:
    first = name.split("—")[0].strip().lower().split()
    return f"{''.join(word[0] for word in first if word.isalpha())}.{code.lower()}.example.org"


def load(admin) -> None:
    """Fill the demo States (called by ``flask demo load`` on an empty database)."""
    seed_states()
    for code, visibility, entries in _STATES:
        state = db.session.get(State, code)
        state.is_demo = True
        state.visibility = visibility
        for number, (name, designations, languages, channels, city) in enumerate(entries):
            domain = _domain(name, code)
            entry = actions.do_create_entry(
                admin,
                state,
                {
                    "name": name + " (demo)",
                    "designations": designations,
                    "languages": languages,
                    "channels": channels,
                    "postal_address": f"{10 + number} Avenue of Justice\n{city}",
                    "phones": f"+1 555 01{number}{len(code)} 200\n+1 555 01{number}9 201",
                    "emails": f"central.authority@{domain}",
                    "website": f"https://{domain}/",
                    "office_hours": "Monday–Friday 08:30–17:00",
                    "time_zone": "local time",
                    "urgent_procedure": "Send an advance copy by e-mail, then call the duty "
                    "officer; confirm through the usual channel within 10 days.",
                    "contact_24_7": f"Duty officer: +1 555 0199 {number}00",
                    "e_signature_accepted": "yes" if number == 0 else "",
                    "encryption_required": "no",
                    "originals_required": "yes",
                    "transmission_notes": "Secure e-mail accepted for urgent requests.",
                    "notes": "Fictional demo entry.",
                },
                is_demo=True,
            )
            actions.do_save_contact(
                admin,
                entry,
                None,
                {
                    "name": f"Demo Contact {code}{number + 1}",
                    "title": "Head of unit",
                    "phone": "+1 555 0100 300",
                    "email": f"head.unit@{domain}",
                    "languages": languages,
                },
            )
        if code in _TREATIES:
            state.treaties_json = json.dumps(_TREATIES[code])
            state.mla_requirements = (
                "Requests in writing, in the official language or with a translation; "
                "dual criminality not required for non-coercive measures (demo text)."
            )
            state.convention_basis_mla = "yes"
            state.convention_basis_extradition = "yes"
        db.session.commit()
    for title, url, category, language in _RESOURCES:
        db.session.add(
            Resource(
                title=title,
                url=url,
                category=category,
                language=language,
                is_demo=True,
                created_by_id=admin.id,
            )
        )
    db.session.commit()
