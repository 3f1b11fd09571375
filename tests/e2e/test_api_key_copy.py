"""Issue #9 item 23: the new API key, shown once, has a copy button and a selectable field."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_new_key_can_be_copied_with_one_click(page, sign_in, lead):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(lead)
    page.goto("/app/api-keys/")
    page.get_by_label("Name").fill("Survey tool")
    page.get_by_role("button", name="Create key").click()
    field = page.get_by_label("Your new API key")
    expect(field).to_have_attribute("readonly", "")
    raw = field.input_value()
    assert re.fullmatch(r"axr_[0-9a-f]+_[A-Za-z0-9_-]+", raw)  # url-safe base64 holds "-"

    page.get_by_role("button", name="Copy key").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == raw
    page.screenshot(path="/tmp/h4/api-key-copied.png", full_page=True)

    # The fallback: focusing the field selects the whole key for Ctrl+C.
    page.get_by_role("heading", name="Copy your new key now").click()
    field.focus()
    selected = page.evaluate(
        "() => { const f = document.activeElement; "
        "return f.value.slice(f.selectionStart, f.selectionEnd); }"
    )
    assert selected == raw
