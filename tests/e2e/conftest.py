"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Every test in this folder is marked `e2e` (CI runs the rest alone with `-m "not e2e"`). A test asks
for `page` (a fresh browser context, so no cookies leak between tests) and `actions`, the one
helper through which the user's clicks, Enter, Esc and shortcuts go: it logs and counts them, as
DECISIONS.md "Interactions (browser tests)" counts them, and proves that htmx did its work without
a full page reload.

The tests create their users and records with the factories and use `transactional_db`: the live
server answers from another thread, so it only sees committed data.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

E2E_DIR = Path(__file__).parent

# Playwright's own browser download does not work here; Debian's Chromium does.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
PASSWORD = "pw"  # tests.factories.UserFactory's password


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder `e2e`, whichever helper wrote the module."""
    for item in items:
        if E2E_DIR in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Browser:
    # While sync Playwright runs, the main thread looks as if an event loop were running, so
    # Django refuses every ORM call there (factories, fixtures, teardown) unless this is set.
    # `make test` sets it too; setting it here keeps a bare `pytest tests/e2e` working.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server) -> Page:
    """A page in a new browser context (own cookies), with relative URLs on the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def actions(page) -> UserActions:
    return UserActions(page)


class UserActions:
    """The user's hands: counted actions go through `act`, typing through `type` and `fill`.

    Counted (DECISIONS.md): every click, drag, keyboard shortcut, Enter and Esc. Not counted:
    typed characters and Tab between the fields of one form. Each action is printed, so a failing
    test shows the journey up to where it broke.
    """

    def __init__(self, page: Page):
        self.page = page
        self.log: list[str] = []
        self.js_errors: list[str] = []
        page.on("pageerror", lambda error: self.js_errors.append(str(error)))

    # ---- counted ----------------------------------------------------------------------------

    def act(self, description: str, fn: Callable[[], object]):
        self.log.append(description)
        print(f"[action {len(self.log)}] {description}")
        return fn()

    def click(self, locator: Locator, description: str, **kwargs):
        return self.act(description, lambda: locator.click(**kwargs))

    def press(self, locator: Locator, key: str, description: str):
        """Enter, Esc or a shortcut such as Control+a, sent to one element."""
        return self.act(description, lambda: locator.press(key))

    @property
    def count(self) -> int:
        return len(self.log)

    def assert_count(self, expected: int) -> None:
        journey = "\n".join(f"  {n}. {d}" for n, d in enumerate(self.log, 1))
        assert self.count == expected, f"{self.count} actions, expected {expected}:\n{journey}"

    # ---- not counted ------------------------------------------------------------------------

    def type(self, locator: Locator, text: str) -> None:
        """Type key by key, as a person does: as-you-type handlers see every input event."""
        print(f"[typing] {text!r}")
        locator.press_sequentially(text)

    def fill(self, locator: Locator, text: str) -> None:
        """Fill one field of a form (moving between fields with Tab is not counted either)."""
        print(f"[typing] {text!r}")
        locator.fill(text)

    # ---- no page reload ---------------------------------------------------------------------

    def mark_page(self) -> None:
        """Set a marker on this page's `window`; a full reload or navigation drops it."""
        self.page.evaluate("window.__huddleMarker = 1")

    def assert_not_reloaded(self) -> None:
        marker = self.page.evaluate("window.__huddleMarker")
        assert marker == 1, "the page was reloaded (window.__huddleMarker is gone)"

    def assert_no_js_errors(self) -> None:
        assert self.js_errors == [], self.js_errors

    # ---- common steps -----------------------------------------------------------------------

    def log_in(self, username: str, password: str = PASSWORD) -> None:
        """Log in through the login page (one counted click) and land on My day."""
        self.page.goto("/")
        expect(self.page).to_have_url(re.compile(r"/login/"))
        self.fill(self.page.get_by_label("Username"), username)
        self.fill(self.page.get_by_label("Password"), password)
        self.click(self.page.get_by_role("button", name="Log in"), "click Log in")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("My day")
