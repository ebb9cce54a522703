"""Security review of the directory: attacks found by the review, each one now refused.

- vCard property injection: a lone carriage return in a contact's fields (a form accepts
  it) must not start a new line in the card, where it could add or override properties.
"""

from __future__ import annotations

import re

from tests.directory.conftest import add_contact


def test_vcard_property_injection_by_carriage_return(client, auth, member, states):
    contact = add_contact(
        states["public"],
        "Eve\rEMAIL;TYPE=INTERNET:attacker@evil.example",
        title="Head\rURL:https://evil.example",
        phone="+33 1\r\nTEL:+1 555",
    )
    auth.login(member)
    card = client.get(f"/directory/contacts/{contact.id}.vcf")
    assert card.status_code == 200
    lines = re.split(r"\r\n|\r|\n", card.get_data(as_text=True))
    assert not [line for line in lines if line.startswith(("URL", "EMAIL;TYPE=INTERNET:attacker"))]
    assert [line for line in lines if line.startswith("TEL")] == [
        line for line in lines if line.startswith("TEL;TYPE=WORK:")
    ]
