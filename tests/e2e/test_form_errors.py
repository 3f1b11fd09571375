"""Issue #9 item 19 in a real browser: the error summary takes the focus, its links the field."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_the_browser_focuses_the_error_summary_and_its_links_focus_the_field(
    page, sign_in, owner, owned_audience
):
    sign_in(owner)
    page.goto(reverse("journeys:stage_create", args=[owned_audience.slug]))
    page.get_by_role("button", name="Add stage").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    summary.get_by_role("link", name=re.compile("Name")).click()
    expect(page.locator("#id_name")).to_be_focused()
    page.screenshot(path="/tmp/h4/form-errors.png", full_page=True)
