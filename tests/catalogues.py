"""Compiled message catalogues for tests, so they never depend on ``make translations``."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "forum" / "translations"


def po_files() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def compile_catalogues() -> None:
    """Write each stale ``.mo`` next to its ``.po``; atomic, as xdist workers may race."""
    for po_path in po_files():
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        handle, temporary = tempfile.mkstemp(dir=po_path.parent, suffix=".mo.tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(temporary, mo_path)
    # Flask-Babel caches loaded catalogues for the whole process: drop any loaded before.
    from forum.extensions import babel

    loaded = babel.__dict__.get("domain_instance")  # a cached_property, set on first use
    if loaded is not None:
        loaded.cache.clear()
