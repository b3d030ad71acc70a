"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live_server.

Every test in this folder is marked `e2e` (CI runs the rest alone with `-m "not e2e"`). A test asks
for `page` (a fresh browser context, so no cookies leak between tests) and `actions`, the one
helper through which the user's clicks, Enter, Esc and shortcuts go: it logs and counts them, as
DECISIONS.md "Interactions (browser tests)" counts them, and proves that htmx did its work without
a full page reload.

The tests act like a person (issue 13): they type with the keyboard into the element that has the
focus, press keys and click visible elements. `_hands_only` (autouse) makes the shortcuts fail
loudly: `fill()`, `clear()`, `type()`/`press()`/`press_sequentially()` on an element (they focus it
by script first, so a focus bug would pass), `dispatch_event()`, `select_text()`, `evaluate()` that
assigns or fires events, and `force=True`. Reading the page with `evaluate()` is fine.

Every test runs at 1280×800 and at 1920×1080 (the `page` fixture's parameter); set
`HUDDLE_E2E_VIEWPORTS=1280x800` to run one size while working on a test.

The tests create their users and records with the factories and use `transactional_db`: the live
server answers from another thread, so it only sees committed data.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ElementHandle,
    Frame,
    JSHandle,
    Locator,
    Page,
    expect,
    sync_playwright,
)

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

VIEWPORTS = {"1280x800": (1280, 800), "1920x1080": (1920, 1080)}
_CHOSEN = [v for v in os.environ.get("HUDDLE_E2E_VIEWPORTS", "").split(",") if v in VIEWPORTS]

MARK_SCRIPT = "window.__huddleMarker = 1"  # the one write allowed: a marker, no user-visible state


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


@pytest.fixture(params=_CHOSEN or list(VIEWPORTS))
def viewport(request) -> dict:
    """The window size a journey runs at: a laptop (1280×800) and a desktop (1920×1080)."""
    width, height = VIEWPORTS[request.param]
    return {"width": width, "height": height}


@pytest.fixture
def page(browser, live_server, viewport) -> Page:
    """A page in a new browser context (own cookies), with relative URLs on the live server."""
    # en-US: the date inputs read mm/dd/yyyy, so typed dates are the same on every machine.
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def actions(page) -> UserActions:
    return UserActions(page)


# ---- hands only -------------------------------------------------------------------------------

# An assignment (=, +=, …; not ==, ===, !=, <=, >=, =>) or a call that changes the page or fires
# an event: a test that needs one of these is not acting like a person.
_WRITES = re.compile(
    r"(?<![=!<>])(?:[+\-*/%&|^]|\*\*|<<|>>|>>>|&&|\|\||\?\?)?=(?![=>])"
    r"|\+\+|--"
    r"|\b(?:dispatchEvent|click|focus|blur|select|submit|requestSubmit|reset|setAttribute"
    r"|removeAttribute|toggleAttribute|setRangeText|setSelectionRange|execCommand|remove"
    r"|append|appendChild|prepend|insertBefore|insertAdjacentHTML|insertAdjacentElement"
    r"|replaceWith|replaceChildren|setItem|removeItem|clear|add|toggle|showModal|show|close"
    r"|ajax|trigger|process|swap)\s*\("
)

_STRINGS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`\\]|\\.)*`")

_FORBIDDEN = {
    "fill": "type it: click (or Tab to) the field, then actions.type(field, text)",
    "clear": "select the text (actions.press(field, 'Control+a', …)) and type over it",
    "type": "use actions.type(field, text): it checks the focus, then types with the keyboard",
    "press_sequentially": "use actions.type(field, text): it checks the focus first",
    "press": "use actions.press(element, key, description) or actions.key(key, description)",
    "dispatch_event": "click, type or press what a person would; never fire events by script",
    "select_text": "select with the keyboard (Control+a) or the mouse",
}
_FORCEABLE = (
    "click",
    "dblclick",
    "tap",
    "check",
    "uncheck",
    "set_checked",
    "hover",
    "drag_to",
    "select_option",
    "drag_and_drop",
)
_EVALUATES = ("evaluate", "evaluate_all", "evaluate_handle", "add_init_script", "add_script_tag")


class NotLikeAPerson(AssertionError):
    """A browser test tried to do what no user can: set a value or fire an event by script."""


def _refuse(cls_name: str, name: str, hint: str):
    def refused(*args, **kwargs):
        raise NotLikeAPerson(f"{cls_name}.{name}() is not what a person does: {hint}.")

    return refused


def _no_force(original, cls_name: str, name: str):
    @functools.wraps(original)
    def guarded(*args, **kwargs):
        if kwargs.get("force"):
            raise NotLikeAPerson(
                f"{cls_name}.{name}(force=True) acts on what a person cannot reach; make the "
                "element visible and reachable instead."
            )
        return original(*args, **kwargs)

    return guarded


def _read_only(original, cls_name: str, name: str):
    @functools.wraps(original)
    def guarded(self, expression=None, *args, **kwargs):
        script = expression if expression is not None else kwargs.get("script", "")
        script = script if isinstance(script, str) else str(script or "")
        code = _STRINGS.sub("''", script)  # a selector such as [name=q] is no assignment
        if script != MARK_SCRIPT and (name.startswith("add_") or _WRITES.search(code)):
            raise NotLikeAPerson(
                f"{cls_name}.{name}({script!r}) changes the page or fires an event by script; "
                "reading is fine, acting must go through the keyboard and the mouse."
            )
        return original(self, expression, *args, **kwargs)

    return guarded


@pytest.fixture(autouse=True)
def _hands_only(monkeypatch):
    """For the test's duration, the shortcuts past a person's hands raise `NotLikeAPerson`."""
    for cls in (Locator, Page, Frame, ElementHandle):
        for name, hint in _FORBIDDEN.items():
            if hasattr(cls, name):
                monkeypatch.setattr(cls, name, _refuse(cls.__name__, name, hint))
        for name in _FORCEABLE:
            if hasattr(cls, name):
                monkeypatch.setattr(cls, name, _no_force(getattr(cls, name), cls.__name__, name))
    for cls in (Locator, Page, Frame, JSHandle):  # ElementHandle inherits JSHandle's
        for name in _EVALUATES:
            if hasattr(cls, name):
                original = getattr(cls, name)
                monkeypatch.setattr(cls, name, _read_only(original, cls.__name__, name))
    yield


# ---- the user's hands -------------------------------------------------------------------------


class UserActions:
    """The user's hands: counted actions go through `act`, `click`, `press` and `key`; typing
    through `type`, Tab between fields through `tab` (neither counted).

    Counted (DECISIONS.md): every click, drag, keyboard shortcut, Enter and Esc. Not counted:
    typed characters and Tab between the fields of one form. Each action is printed, so a failing
    test shows the journey up to where it broke. Keys go to whatever has the focus, as a
    person's do: `type` and `press` first check that the focus is where the test says it is.
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
        """A click on something visible (Playwright waits until it is visible and enabled)."""
        return self.act(description, lambda: locator.click(**kwargs))

    def press(self, locator: Locator, key: str, description: str):
        """Enter, Esc or a shortcut such as Control+a, pressed while `locator` has the focus.

        The page's body stands for "wherever the focus is" (a page-wide shortcut)."""
        if not self._is_body(locator):
            self.assert_focus(locator)
        return self.act(description, lambda: self.page.keyboard.press(key))

    def key(self, key: str, description: str):
        """A key pressed wherever the focus is (a page-wide shortcut such as n or Ctrl+K)."""
        return self.act(description, lambda: self.page.keyboard.press(key))

    @property
    def count(self) -> int:
        return len(self.log)

    def assert_count(self, expected: int) -> None:
        journey = "\n".join(f"  {n}. {d}" for n, d in enumerate(self.log, 1))
        assert self.count == expected, f"{self.count} actions, expected {expected}:\n{journey}"

    # ---- not counted ------------------------------------------------------------------------

    def type(self, locator: Locator, text: str) -> None:
        """Type key by key into `locator`, which must have the focus already (a click, Tab or
        the page put it there): as-you-type handlers see every input event."""
        self.assert_focus(locator)
        print(f"[typing] {text!r}")
        self.page.keyboard.type(text)

    def tab(self, times: int = 1, *, back: bool = False) -> None:
        """Tab (or Shift+Tab) between the fields of one form: not counted."""
        for _ in range(times):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")

    def tab_to(self, locator: Locator, *, most: int = 12) -> None:
        """Tab forward until `locator` has the focus, as a person tabs through a form."""
        for _ in range(most):
            if self._has_focus(locator):
                return
            self.page.keyboard.press("Tab")
        self.assert_focus(locator)

    # ---- focus ------------------------------------------------------------------------------

    def assert_focus(self, locator: Locator) -> None:
        """`locator` is document.activeElement (waiting a little, as htmx may still swap)."""
        try:
            expect(locator).to_be_focused()
        except AssertionError as error:
            focused = self.page.evaluate(
                "() => document.activeElement ? document.activeElement.outerHTML.slice(0, 300)"
                " : null"
            )
            raise AssertionError(f"focus is not on {locator}; it is on {focused}") from error

    def _is_body(self, locator: Locator) -> bool:
        return locator.evaluate("element => element === document.body")

    # ---- no page reload ---------------------------------------------------------------------

    def mark_page(self) -> None:
        """Set a marker on this page's `window`; a full reload or navigation drops it."""
        self.page.evaluate(MARK_SCRIPT)

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
        username_field = self.page.get_by_label("Username")
        if not self._has_focus(username_field):
            username_field.click()  # the login page's own click; logging in counts as one
        self.type(username_field, username)
        self.tab()
        self.type(self.page.get_by_label("Password"), password)
        self.click(self.page.get_by_role("button", name="Log in"), "click Log in")
        expect(self.page.get_by_role("heading", level=1)).to_contain_text("My day")

    def _has_focus(self, locator: Locator) -> bool:
        return locator.evaluate("element => element === document.activeElement")
