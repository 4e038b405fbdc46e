"""Playwright fixtures for the browser tests (Debian's Chromium, no `playwright install`).

Run with: .venv/bin/python -m pytest tests/browser -q   (or deselect them with -m "not browser")

Two things about mixing Playwright's *sync* API with Django in one process:

* While Playwright runs, an asyncio loop is "running" in the test thread, so every ORM call
  made by the tests would raise SynchronousOnlyOperation. The ``browser`` fixture sets
  DJANGO_ALLOW_ASYNC_UNSAFE only for as long as Chromium is up (it is *not* set at import
  time: subprocesses started by other tests, e.g. ``manage.py check --deploy`` in
  tests/test_settings.py, would inherit it and the deploy check rightly flags it).
* For the same reason the browser tests are moved to the very end of the run, so that no other
  test ever runs with that loop (or that variable) around.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

from home.demo import load_demo
from territory.services import territory_load
from tests.factories import recreate_wagtail_base

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
TIMEOUT_MS = 10_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last (after pytest-django's own db/transactional/no-db ordering)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser(django_db_setup):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install Debian's package "
            "(`apt-get install chromium`; `make test` does it when run as root) or point "
            "PLAYWRIGHT_CHROMIUM at a Chromium binary."
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()


@pytest.fixture
def new_context(browser):
    """Factory for browser contexts (e.g. with JavaScript disabled), closed after the test."""
    contexts = []

    def make(**kwargs):
        kwargs.setdefault("locale", LOCALE)
        context = browser.new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
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
def site(transactional_db, live_server, browser):
    """The live server with the territory of Quito and the demo content: home page, the 10
    zone pages, /acerca/ and /privacidad/ (all loaders are idempotent)."""
    recreate_wagtail_base()
    territory_load()
    load_demo()
    return live_server
