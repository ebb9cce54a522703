"""``flask dev generate``: a database at realistic size, fast, for benchmarks and load tests.

Rows go in through SQLAlchemy Core, many per statement (executemany, which SQLAlchemy turns
into multi-row INSERTs), with ids assigned here so threads, posts and the search index link
up without a round trip per row. The full-text index ``post_search`` (on PostgreSQL with its
list of words, ``post_search_words``) is filled in the same transaction as its posts (the same
columns ``forum.discussions.search.sync_post`` writes).

Every generated account shares one password and one second-factor secret, printed at the
end: the data is for a development or benchmark machine, and production refuses it.
"""

from __future__ import annotations

import random
import time
from datetime import timedelta
from html import escape

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup

from forum.db_types import utcnow
from forum.extensions import db

GENERATED_PASSWORD = "generated password 1234"
# A fixed base32 secret: benchmarks compute codes for any generated account.
GENERATED_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
EMAIL_DOMAIN = "generated.example"
LONG_THREADS = 10  # threads of exactly LONG_THREAD_POSTS posts, for the thread-page benchmark
LONG_THREAD_POSTS = 100
CHUNK = 5_000

dev_cli = AppGroup("dev", help="Development tools: bulk test data for benchmarks.")

_WORDS = (
    "request assistance evidence bank records extradition warrant central authority "
    "transmission translation urgent procedure confiscation freezing assets proceeds "
    "witness hearing videoconference seizure search premises dual criminality treaty "
    "convention reciprocity prosecutor judge ministry justice police liaison channel "
    "interpol diplomatic note deadline acknowledgement receipt execution refusal grounds "
    "fiscal offence corruption laundering trafficking smuggling migrants cybercrime "
    "electronic data preservation provider subscriber information joint investigation "
    "team spontaneous information transfer sentenced person consent surrender custody"
).split()
_AUTHORITY_KINDS = (
    "Ministry of Justice",
    "Office of the Prosecutor General",
    "Ministry of Foreign Affairs",
    "Supreme Court",
    "National Police",
    "Financial Intelligence Unit",
    "Ministry of the Interior",
    "Anti-Corruption Agency",
)
_DESIGNATIONS = (
    "untoc_mla",
    "untoc_extradition",
    "untoc_transfer",
    "som_sea",
    "uncac_mla",
    "drugs_mla",
    "drugs_sea",
)
_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh", "pt", "de")
_CHANNELS = ("direct", "diplomatic", "interpol", "regional")


def _vocabulary() -> tuple[list[str], list[float]]:
    """Words with Zipf frequencies, as in real text: a few filler words are in most posts,
    each subject word (ranks 40–800) in a few per cent of them, so searches find realistic
    numbers of hits rather than half the forum."""
    rng = random.Random(0)
    syllables = "ka lo mi ne su ta ri po de va bu fe gi ho ju".split()
    filler = sorted({"".join(rng.choices(syllables, k=rng.randint(1, 3))) for _ in range(4000)})
    rng.shuffle(filler)
    words = filler[:40]
    subject = list(_WORDS)
    rng.shuffle(subject)
    rest = filler[40:]
    step = max(1, len(rest) // len(subject))
    for index, word in enumerate(subject):
        words += rest[index * step : index * step + step - 1] + [word]
    words += rest[len(subject) * step :]
    weights, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        weights.append(total)
    return words, weights


_VOCABULARY, _CUMULATIVE = _vocabulary()


def _sentence(rng: random.Random, low: int, high: int) -> str:
    words = rng.choices(_VOCABULARY, cum_weights=_CUMULATIVE, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def _table(name: str) -> sa.Table:
    return db.metadata.tables[name]


def _next_id(table: sa.Table) -> int:
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def _insert(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(sa.insert(table), rows)


def _reset_sequences(*names: str) -> None:
    """PostgreSQL: move each id sequence past the ids assigned here."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in names:
        db.session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
            )
        )


def generate_users(count: int, rng: random.Random, echo=click.echo) -> list[int]:
    """``count`` active, enrolled members of the UN Member States; returns their ids."""
    from forum.auth.passwords import hash_password
    from forum.directory.un_members import UN_MEMBER_STATES
    from forum.security.crypto import encrypt_secret

    users = _table("users")
    first = _next_id(users)
    password_hash = hash_password(GENERATED_PASSWORD)  # once: argon2id is slow on purpose
    secret = encrypt_secret(GENERATED_TOTP_SECRET)
    now = utcnow()
    rows = []
    for n in range(first, first + count):
        state = UN_MEMBER_STATES[n % len(UN_MEMBER_STATES)]
        rows.append(
            {
                "id": n,
                "email": f"user{n}@{EMAIL_DOMAIN}",
                "display_name": f"Generated Member {n}",
                "state_code": state,
                "authority_name": _AUTHORITY_KINDS[n % len(_AUTHORITY_KINDS)],
                "role": "focal_point" if n % 50 == 0 else "member",
                "status": "active",
                "password_hash": password_hash,
                "password_changed_at": now,
                "totp_secret_encrypted": secret,
                "totp_enrolled_at": now,
                "totp_last_step": 0,
                "created_at": now - timedelta(days=rng.randint(0, 700)),
            }
        )
        if len(rows) >= CHUNK:
            _insert(users, rows)
            rows = []
    _insert(users, rows)
    _reset_sequences("users")
    db.session.commit()
    echo(f"users: {count}")
    return list(range(first, first + count))


def generate_directory(per_state: int, rng: random.Random, echo=click.echo) -> int:
    """About ``per_state`` entries (one or two contacts each) for every State in the table."""
    entries, contacts = _table("directory_entries"), _table("directory_contacts")
    state_table = _table("directory_states")
    states = db.session.execute(sa.select(state_table.c.code)).scalars().all()
    if not states:  # the migration seeds them; an emptied test database has none
        from forum.directory.un_members import state_rows

        _insert(state_table, [{**row, "visibility": "members"} for row in state_rows()])
        states = [row["code"] for row in state_rows()]
    entry_id, contact_id = _next_id(entries), _next_id(contacts)
    now = utcnow()
    entry_rows, contact_rows = [], []
    for code in states:
        for k in range(max(1, per_state + rng.randint(-1, 1))):
            name = f"{_AUTHORITY_KINDS[k % len(_AUTHORITY_KINDS)]} ({code}) {k + 1}"
            address = f"{rng.randint(1, 200)} Avenue of the Republic, Capital City"
            notes = _sentence(rng, 8, 20)
            entry_rows.append(
                {
                    "id": entry_id,
                    "state_code": code,
                    "name": name,
                    "designations": rng.sample(_DESIGNATIONS, rng.randint(1, 3)),
                    "designation_other": "",
                    "postal_address": address,
                    "phones": f"+{rng.randint(10, 999)} {rng.randint(1000000, 9999999)}",
                    "emails": f"central.authority{entry_id}@{EMAIL_DOMAIN}",
                    "languages": rng.sample(_LANGUAGES, rng.randint(1, 3)),
                    "channels": rng.sample(_CHANNELS, rng.randint(1, 2)),
                    "notes": notes,
                    "search_text": " ".join((name, address, notes)).lower(),
                    "is_demo": True,
                    "created_at": now - timedelta(days=rng.randint(30, 900)),
                    "last_updated_at": now - timedelta(days=rng.randint(0, 400)),
                }
            )
            for deputy in range(rng.randint(1, 2)):
                contact_rows.append(
                    {
                        "id": contact_id,
                        "entry_id": entry_id,
                        "name": f"Contact {contact_id}",
                        "title": "Deputy head" if deputy else "Head of unit",
                        "email": f"contact{contact_id}@{EMAIL_DOMAIN}",
                        "languages": rng.sample(_LANGUAGES, 1),
                        "is_deputy": bool(deputy),
                    }
                )
                contact_id += 1
            entry_id += 1
    _insert(entries, entry_rows)
    _insert(contacts, contact_rows)
    _reset_sequences("directory_entries", "directory_contacts")
    db.session.commit()
    echo(f"directory: {len(entry_rows)} entries, {len(contact_rows)} contacts")
    return len(entry_rows)


def _thread_sizes(threads: int, posts: int, rng: random.Random) -> list[int]:
    """Posts per thread: a few of exactly 100, the rest skewed (most short, some long)."""
    sizes = [1] * threads
    # Only as many long threads as leave one post for every other thread.
    long_threads = min(LONG_THREADS, threads, (posts - threads) // (LONG_THREAD_POSTS - 1))
    for i in range(long_threads):
        sizes[i] = LONG_THREAD_POSTS
    left = posts - sum(sizes)
    rest = range(long_threads, threads)
    if left > 0 and len(rest):
        weights = [rng.expovariate(1.0) for _ in rest]
        for index in rng.choices(list(rest), weights=weights, k=left):
            sizes[index] += 1
    return sizes


def _search_columns(dialect: str) -> tuple[str, str]:
    return ("post_id", "post_search") if dialect == "postgresql" else ("rowid", "post_search")


def generate_discussions(
    user_ids: list[int], threads: int, posts: int, rng: random.Random, echo=click.echo
) -> tuple[int, int]:
    """``threads`` public threads holding ``posts`` posts in all, indexed for search."""
    from forum.discussions import search

    if not threads:
        return 0, 0
    category_table = _table("categories")
    categories = db.session.execute(sa.select(category_table.c.id)).scalars().all()
    if not categories:  # the migration seeds them; an emptied test database has none
        _insert(category_table, [{"slug": "general", "name": "General", "created_at": utcnow()}])
        categories = db.session.execute(sa.select(category_table.c.id)).scalars().all()
    thread_table, post_table = _table("threads"), _table("posts")
    dialect = db.session.get_bind().dialect.name
    id_column, search_table = _search_columns(dialect)
    search_insert = sa.text(
        f"INSERT INTO {search_table} ({id_column}, title, body) VALUES (:id, :title, :body)"
    )
    sizes = _thread_sizes(threads, max(posts, threads), rng)
    thread_id, post_id = _next_id(thread_table), _next_id(post_table)
    start = utcnow() - timedelta(days=720)
    thread_rows, post_rows, search_rows = [], [], []
    made_posts = 0

    def flush() -> None:
        _insert(thread_table, thread_rows)
        _insert(post_table, post_rows)
        if search_rows:
            db.session.execute(search_insert, search_rows)
            if dialect == "postgresql":
                search.remember_words(search_rows[0]["id"], search_rows[-1]["id"])
        db.session.commit()
        thread_rows.clear()
        post_rows.clear()
        search_rows.clear()

    for index, size in enumerate(sizes):
        created = start + timedelta(minutes=index * 720 * 24 * 60 // max(threads, 1))
        title = _sentence(rng, 4, 9)[:-1]
        authors = rng.choices(user_ids, k=size)
        moment = created
        for number in range(1, size + 1):
            body = "\n\n".join(_sentence(rng, 10, 30) for _ in range(rng.randint(1, 3)))
            html = "".join(f"<p>{escape(part)}</p>\n" for part in body.split("\n\n"))
            post_rows.append(
                {
                    "id": post_id,
                    "thread_id": thread_id,
                    "number": number,
                    "author_id": authors[number - 1],
                    "body": body,
                    "html": html,
                    "created_at": moment,
                    "edit_count": 0,
                    "hidden_reason": "",
                }
            )
            search_rows.append({"id": post_id, "title": title if number == 1 else "", "body": body})
            post_id += 1
            moment += timedelta(minutes=rng.randint(5, 600))
        thread_rows.append(
            {
                "id": thread_id,
                "kind": "discussion",
                "category_id": categories[index % len(categories)],
                "author_id": authors[0],
                "title": title,
                "created_at": created,
                "last_post_at": moment,
                "post_count": size,
                "pinned": False,
                "locked": False,
                "hidden": False,
            }
        )
        thread_id += 1
        made_posts += size
        if len(post_rows) >= CHUNK * 4:
            flush()
            echo(f"  … {index + 1} threads, {made_posts} posts", nl=True)
    flush()
    _reset_sequences("threads", "posts")
    db.session.commit()
    echo(f"discussions: {len(sizes)} threads, {made_posts} posts (indexed for search)")
    return len(sizes), made_posts


def generate(users: int, threads: int, posts: int, entries_per_state: int = 6, seed: int = 1):
    """Fill the database; refuses the production configuration."""
    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("Refusing to generate data in the production configuration.")
    rng = random.Random(seed)
    user_ids = generate_users(users, rng) if users else []
    if not user_ids:
        user_ids = list(db.session.execute(sa.select(_table("users").c.id)).scalars())
    if threads and not user_ids:
        raise click.ClickException("Threads need authors: generate some users too.")
    if entries_per_state:
        generate_directory(entries_per_state, rng)
    generate_discussions(user_ids, threads, posts, rng)
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


@dev_cli.command("generate")
@click.option("--users", default=10_000, show_default=True)
@click.option("--threads", default=50_000, show_default=True)
@click.option("--posts", default=1_000_000, show_default=True)
@click.option("--entries-per-state", default=6, show_default=True)
@click.option("--seed", default=1, show_default=True)
def generate_command(users, threads, posts, entries_per_state, seed) -> None:
    """Bulk-insert members, directory entries, threads and posts (never in production)."""
    began = time.monotonic()
    generate(users, threads, posts, entries_per_state, seed)
    click.echo(f"done in {time.monotonic() - began:.1f} s")
    if users:
        click.echo(
            f"Every generated account (user<N>@{EMAIL_DOMAIN}) logs in with the password "
            f"{GENERATED_PASSWORD!r} and the TOTP secret {GENERATED_TOTP_SECRET}."
        )
