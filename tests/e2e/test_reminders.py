"""An owner's overdue plan review in a browser: shown under Needs you now on their home, marked
reviewed on the plan page (no JavaScript needed), gone from the home and the checks after."""

from datetime import date

from playwright.sync_api import expect

from measurements.models import MeasurementPlan


def test_an_owner_sees_an_overdue_review_at_home_and_marks_it_reviewed(
    page, sign_in, owner, owned_audience
):
    MeasurementPlan.objects.create(
        organisation=owned_audience.organisation,
        audience=owned_audience,
        process="Survey parents each term; the head reads every comment.",
        methods=["relationship_survey"],
        cadence="Each term",
        review_every_months=6,
        last_reviewed_on=date(2024, 3, 15),
    )
    sign_in(owner)
    page.goto("/app/")
    needs_you = page.locator("section[aria-labelledby=alerts-title]")
    # 15 March 2024 + 6 months = 15 September 2024.
    expect(needs_you.locator(".review-overdue")).to_have_text(
        "Parents — review overdue since 15 Sep 2024 (every 6 months). Review the plan"
    )
    page.screenshot(path="/tmp/reminders-owner-home.png", full_page=True)

    needs_you.get_by_role("link", name="Review the plan").click()
    expect(page.locator("[data-review-overdue]")).to_contain_text(
        "Review overdue since 15 September 2024."
    )
    expect(page.locator('[data-check="plan_reviewed"]')).to_have_attribute("data-passed", "no")
    expect(page.locator("[data-review-due]")).to_have_text(
        "Every 6 months; was due by 15 September 2024"
    )
    page.screenshot(path="/tmp/reminders-plan-overdue.png", full_page=True)
    page.get_by_role("button", name="Mark reviewed today").click()
    expect(page.locator(".messages")).to_contain_text("Measurement plan marked reviewed today.")
    expect(page.locator("[data-review-overdue]")).to_have_count(0)
    expect(page.locator('[data-check="plan_reviewed"]')).to_have_attribute("data-passed", "yes")
    expect(page.locator("[data-review-due]")).to_contain_text("Every 6 months; next due by")
    # Reviewed today already: no button to do it again.
    expect(page.get_by_role("button", name="Mark reviewed today")).to_have_count(0)
    page.screenshot(path="/tmp/reminders-plan-reviewed.png", full_page=True)

    page.goto("/app/")
    expect(page.locator(".review-overdue")).to_have_count(0)
