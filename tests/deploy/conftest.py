"""The shared Playwright browser (one per worker) for the cluster test."""

from tests.browser.conftest import browser  # noqa: F401
