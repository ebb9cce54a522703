"""deploy/local-cluster: two gunicorn processes behind nginx on PostgreSQL and Redis are one
site for the login rate limit: failed attempts made on either process count together.
(The browser and chat half is tests/browser/test_deploy_cluster.py.)
"""

from __future__ import annotations

import pytest

from tests.deploy.cluster import ManualClient
from tests.deploy.cluster import cluster  # noqa: F401  (fixture)
from tests.deploy.cluster import cluster_db  # noqa: F401  (fixture)
from tests.deploy.cluster import code
from tests.deploy.cluster import person

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_login_rate_limit_counts_across_processes(cluster):  # noqa: F811
    carla = person("carla")
    one, two = cluster.apps
    for attempt in range(5):
        client = ManualClient()
        first, second = (one, two) if attempt % 2 else (two, one)
        wrong = client.login(first, second, carla.email, "not her password", "000000")
        assert wrong.status_code in (400, 401), wrong.status_code
    # The sixth attempt, right this time, is refused on either process: the count is shared.
    for password_app, code_app in ((one, two), (two, one)):
        client = ManualClient()
        refused = client.login(
            password_app, code_app, carla.email, carla.test_password, code(carla)
        )
        assert refused.status_code == 429, refused.status_code
        assert "Too many failed attempts" in refused.text
