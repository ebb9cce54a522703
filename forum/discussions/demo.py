"""Demo discussions (fictional, marked as demo): threads and replies in a few categories, one
case example, and one private space with two members. Written through the ordinary actions,
so rendering, search index and notifications behave as in real use."""

from __future__ import annotations

import sqlalchemy as sa

from forum.auth.models import Role
from forum.auth.models import User
from forum.discussions import actions
from forum.discussions.models import Category
from forum.discussions.spaces import do_add_space_member
from forum.discussions.spaces import do_create_space
from forum.extensions import db

DEFAULT_CATEGORIES = [
    ("general", "General"),
    ("mutual-legal-assistance", "Mutual legal assistance"),
    ("extradition", "Extradition"),
    ("transfer-of-sentenced-persons", "Transfer of sentenced persons"),
    ("confiscation-and-asset-recovery", "Confiscation and asset recovery"),
    ("smuggling-of-migrants-and-trafficking", "Smuggling of migrants and trafficking"),
    ("technical-assistance", "Technical assistance"),
    ("case-examples", "Case examples"),
]


def ensure_categories() -> dict[str, Category]:
    """The seeded categories (the migration adds them; an emptied database gets them back)."""
    existing = {c.slug: c for c in db.session.scalars(sa.select(Category))}
    for position, (slug, name) in enumerate(DEFAULT_CATEGORIES):
        if slug not in existing:
            existing[slug] = Category(slug=slug, name=name, position=position)
            db.session.add(existing[slug])
    db.session.commit()
    return existing


def load() -> None:
    people = list(db.session.scalars(sa.select(User).order_by(User.id)))
    admin = next((u for u in people if u.role == Role.ADMIN), None)
    members = [u for u in people if u.role != Role.ADMIN]
    if admin is None or len(members) < 2:
        return
    ana, kwame = members[0], members[1]
    categories = ensure_categories()
    thread = actions.do_create_thread(
        ana,
        categories["mutual-legal-assistance"],
        "[Demo] Video-conference hearings of witnesses: practical tips?",
        "We have a request to hear a witness by video-conference under UNTOC art. 18(18).\n\n"
        "Which technical checks do you run beforehand, and who attends on your side?",
    )
    actions.do_reply(
        kwame,
        thread,
        "We test the line with the requesting State a week before, and a judge of the "
        f"receiving court attends. Happy to share our checklist, @{ana.email}.",
    )
    actions.do_reply(ana, thread, "> a judge of the receiving court attends\n\nThank you!")
    actions.do_create_thread(
        kwame,
        categories["extradition"],
        "[Demo] Dual criminality and newly created offences",
        "How do you assess dual criminality when the offence did not exist in your law at the "
        "time of the conduct?",
    )
    actions.do_create_thread(
        ana,
        categories["case-examples"],
        "[Demo] Freezing of proceeds held in a third State",
        "A fictional example of a confiscation request executed within four months.",
        case_fields={
            "cooperation_type": "confiscation",
            "requesting_state": ana.state_code,
            "requested_state": kwame.state_code,
            "legal_basis": "untoc",
            "legal_basis_detail": "UNTOC art. 13",
            "offence": "Money laundering (demo)",
            "outcome": "granted",
            "duration_months": 4,
            "lessons_learned": "Send the draft request informally first.",
        },
    )
    space = do_create_space(admin, "[Demo] Joint case ES–GH", "A private space for one case.")
    do_add_space_member(admin, space, ana.email, "owner")
    do_add_space_member(admin, space, kwame.email)
    private = actions.do_create_thread(
        ana,
        categories["general"],
        "[Demo] Timeline for the joint request",
        "Only the two of us (and moderators) can read this.",
        space=space,
    )
    actions.do_reply(kwame, private, "Agreed; I will send the draft by Friday.")
