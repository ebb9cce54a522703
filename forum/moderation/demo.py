"""Demo applications for a development machine: fictional people, marked as demo."""

from __future__ import annotations

import sqlalchemy as sa

from forum.db_types import utcnow
from forum.extensions import db
from forum.moderation.models import Application
from forum.moderation.models import ApplicationStatus
from forum.security import audit

DEMO_APPLICATIONS = [
    # email, name, State, authority, function
    (
        "efua.owusu@demo.liaison.test",
        "Efua Owusu",
        "GH",
        "Office of the Attorney-General — Extradition Desk (demo)",
        "State Attorney",
    ),
    (
        "pablo.ruiz@demo.liaison.test",
        "Pablo Ruiz",
        "ES",
        "Fiscalía General del Estado — Cooperación Internacional (demo)",
        "Fiscal",
    ),
]


def load() -> None:
    """Two pending applications: one needs the Ghanaian focal point's vouch first."""
    if db.session.scalar(sa.select(sa.func.count(Application.id))):
        return
    for email, name, state, authority, function in DEMO_APPLICATIONS:
        application = Application(
            email=email,
            display_name=name,
            state_code=state,
            authority_name=authority,
            function=function,
            motivation="Demo application: handles incoming and outgoing requests (demo data).",
            status=ApplicationStatus.PENDING,
            confirmed_at=utcnow(),
        )
        db.session.add(application)
        db.session.flush()
        audit.record("demo.application_created", target=application)
    db.session.commit()
