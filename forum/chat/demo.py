"""Demo chat (fictional, marked as demo): a direct conversation between two demo members,
written through the ordinary actions so it renders, counts unread and searches as in use."""

from __future__ import annotations

import sqlalchemy as sa

from forum.auth.models import User
from forum.chat import conversations
from forum.chat import messages
from forum.extensions import db

PEOPLE = ("ana.moreno@demo.liaison.test", "kwame.mensah@demo.liaison.test")
EXCHANGE = [
    (0, "Good morning Kwame, a quick question on our extradition request (demo case DEMO-17)."),
    (1, "Good morning Ana. Of course — is it about the **provisional arrest**?"),
    (
        0,
        "Yes. The person may be released on Friday. Could your office confirm today that the "
        "request for provisional arrest was received?",
    ),
    (1, "Received yesterday, it is with the prosecutor now. I will call you before 15:00."),
    (0, "Thank you, that is very helpful."),
]


def load() -> int:
    """Create the demo conversation if both demo members exist; returns its id (0 if not)."""
    users = {u.email: u for u in db.session.scalars(sa.select(User).where(User.email.in_(PEOPLE)))}
    if len(users) < 2:
        return 0
    people = [users[email] for email in PEOPLE]
    conversation = conversations.do_start_direct(people[0], people[1].id)
    for number, (who, text) in enumerate(EXCHANGE):
        messages.do_send(people[who], conversation.id, f"demo-{number}", text)
    return conversation.id
