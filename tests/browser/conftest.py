"""Playwright fixtures for the browser tests (Debian's Chromium, no `playwright install`).

Run with: .venv/bin/python -m pytest tests/browser -q
"""

import os

# Playwright's sync API runs an asyncio loop in the test thread; without this, every ORM
# call made by the test (fixtures, assertions on the database) raises SynchronousOnlyOperation.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from home.demo import load_demo  # noqa: E402
from territory.services import territory_load  # noqa: E402

CHROMIUM = os.environ.get("PLAYWRIGHT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCALE = "es-EC"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """Factory for extra browser contexts (e.g. with JavaScript disabled); closed after the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", LOCALE)
        context = browser.new_context(**kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A fresh page in its own context (clean cookies and storage) for every test."""
    return new_context().new_page()


@pytest.fixture
def site(django_db_serialized_rollback, transactional_db, live_server):
    """The live server with the territory of Quito and the demo content (home, zones, pages).

    Live-server tests are transactional: the database is flushed after each one, which also
    wipes what Wagtail's migrations created (root page, default site, root collection).
    ``django_db_serialized_rollback`` restores that initial state before each test.
    """
    territory_load()
    load_demo()
    return live_server
