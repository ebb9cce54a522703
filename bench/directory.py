"""Directory benchmark at full size: 193 States × 6 entries (2 contacts each).

Fills a fresh SQLite database (or DATABASE_URL's), signs a member in through the real
login, then times home, search and route requests in-process with Flask's test client
and prints p50/p99 server time in milliseconds.

    .venv/bin/python bench/directory.py [--requests 300]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyotp  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from forum import create_app  # noqa: E402
from forum.directory.models import ContactPerson  # noqa: E402
from forum.directory.models import Entry  # noqa: E402
from forum.directory.models import State  # noqa: E402
from forum.directory.vocab import DESIGNATIONS  # noqa: E402
from forum.extensions import db  # noqa: E402
from tests.factories import make_user  # noqa: E402

ENTRIES_PER_STATE = 6
WORDS = ["Justice", "Prosecution", "Interior", "Police", "Courts", "Customs", "Finance"]
DESIGNATION_CODES = [code for code in DESIGNATIONS if code != "other"]


def fill() -> None:
    states = db.session.query(State).all()
    for index, state in enumerate(states):
        state.visibility = "public" if index % 3 else "members"
        for n in range(ENTRIES_PER_STATE):
            entry = Entry(
                state_code=state.code,
                name=f"{state.name} Ministry of {WORDS[n % len(WORDS)]} — office {n}",
                designations=DESIGNATION_CODES[n % 7 : n % 7 + 2] or ["untoc_mla"],
                languages=["en", ["fr", "es", "ar", "ru", "zh", "pt"][n]],
                channels=["direct", "diplomatic"] if n % 2 else ["interpol"],
                postal_address=f"{n} Avenue of the Law, Capital City",
                emails=f"office{n}@{state.code.lower()}.example.org",
                phones="+1 555 0100\n+1 555 0101",
                urgent_procedure="Advance copy by e-mail, then the usual channel.",
                notes="Benchmark data.",
            )
            entry.refresh_search_text()
            entry.contacts = [
                ContactPerson(name=f"Contact {n}a", email=f"c{n}a@example.org", languages=["en"]),
                ContactPerson(name=f"Contact {n}b", is_deputy=True, languages=["fr"]),
            ]
            db.session.add(entry)
    db.session.commit()


def timed(client, path: str, count: int) -> list[float]:
    times = []
    for _ in range(count):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3", "WTF_CSRF_ENABLED": False},
    )
    with app.app_context():
        upgrade()
        fill()
        user = make_user(email="bench@example.org", state_code="FR")
        email, password, secret = user.email, user.test_password, user.test_totp_secret
        entries = db.session.query(Entry).count()
        db.session.remove()
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": password})
    answer = client.post("/auth/login/code", data={"code": pyotp.TOTP(secret).now()})
    assert answer.status_code == 302, "benchmark login failed"
    paths = {
        "home": "/directory/",
        "search": "/directory/?q=justice&designation=untoc_mla&language=fr",
        "search (one word)": "/directory/?q=prosecution",
        "route": "/directory/route?state=DE&measure=extradition",
        "State page": "/directory/DE",
    }
    print(f"Directory benchmark: {entries} entries in 193 States, member signed in, SQLite.")
    print(f"{'page':<20} {'p50 ms':>8} {'p99 ms':>8}   ({args.requests} requests each)")
    for name, path in paths.items():
        timed(client, path, 10)  # warm-up
        times = sorted(timed(client, path, args.requests))
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{name:<20} {statistics.median(times):8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main()
