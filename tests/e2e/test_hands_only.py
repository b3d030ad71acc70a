"""The browser tests' own rule (conftest.py `_hands_only`): a test that sets a value or fires an
event by script, or clicks with force, fails loudly; reading the page stays allowed."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import NotLikeAPerson

pytestmark = pytest.mark.usefixtures("transactional_db")


def test_shortcuts_past_a_persons_hands_fail_loudly(page, actions):
    page.goto("/login/")
    username = page.get_by_label("Username")
    log_in = page.get_by_role("button", name="Log in")
    refused = [
        lambda: username.fill("ana"),
        lambda: page.fill("#id_username", "ana"),
        lambda: username.clear(),
        lambda: username.type("ana"),
        lambda: username.press_sequentially("ana"),
        lambda: username.press("Enter"),
        lambda: username.dispatch_event("input"),
        lambda: username.select_text(),
        lambda: username.evaluate("e => e.value = 'ana'"),
        lambda: username.evaluate("e => { e.focus() }"),
        lambda: page.evaluate("document.querySelector('form').requestSubmit()"),
        lambda: page.evaluate("document.body.dispatchEvent(new KeyboardEvent('keydown'))"),
        lambda: page.evaluate("window.__huddleMarker += 1"),
        lambda: log_in.click(force=True),
        lambda: page.add_init_script("window.x = 1"),
    ]
    for attempt in refused:
        with pytest.raises(NotLikeAPerson):
            attempt()

    expect(username).to_have_value("")  # nothing got through
    assert page.evaluate("document.querySelector('input[name=username]').value") == ""
    actions.mark_page()  # the helper's marker is the one write allowed
    actions.assert_not_reloaded()
    actions.click(username, "click Username")
    actions.type(username, "ana")
    expect(username).to_have_value("ana")
    actions.assert_count(1)
