"""Page weight of every main page: HTML + CSS + JS, each gzipped, against the 60 KB budget.

The same measurement as tests/test_page_weight.py (which fails the suite over budget or on a
request to another host), printed per page, on a fresh SQLite database with generated data.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from forum import create_app  # noqa: E402
from tests.test_page_weight import ANONYMOUS_PAGES  # noqa: E402
from tests.test_page_weight import BUDGET  # noqa: E402
from tests.test_page_weight import PAGES  # noqa: E402
from tests.test_page_weight import fill  # noqa: E402
from tests.test_page_weight import log_in  # noqa: E402
from tests.test_page_weight import measure  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            "testing",
            {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/weight.sqlite3",
             "WTF_CSRF_ENABLED": False},
        )
        with app.app_context():
            upgrade()
            fill()
        # Requests outside the set-up context: each gets its own, as on a server.
        anonymous = app.test_client()
        rows = [(name, measure(anonymous, path)) for name, path in ANONYMOUS_PAGES]
        member = app.test_client()
        log_in(member)
        rows += [(name, measure(member, path)) for name, path in PAGES]
    print(f"{'page':<18} {'html':>7} {'css':>7} {'js':>7} {'total':>7}  (gzipped bytes)")
    worst = 0
    for name, sizes in rows:
        worst = max(worst, sizes["total"])
        flag = "" if sizes["total"] <= BUDGET and not sizes["foreign"] else "  OVER/FOREIGN"
        print(f"{name:<18} {sizes['html']:>7} {sizes['css']:>7} {sizes['js']:>7} "
              f"{sizes['total']:>7}{flag}")
    print(f"heaviest page: {worst / 1024:.1f} KB of {BUDGET // 1024} KB")


if __name__ == "__main__":
    main()
