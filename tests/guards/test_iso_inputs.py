"""Item 2 of issue #9: date inputs must carry ISO values, or the browser submits them empty."""

import datetime
import re

import pytest
from django import forms
from django.utils import translation

from axreg.forms import BrowserForm
from measurements.models import MeasurementPlan

# Korean and Turkish write dates their own way on pages (2026. 12. 1., 1 Ara 2026); inputs must not.
LANGUAGES = pytest.mark.parametrize("language", ["en-gb", "ko", "tr"])


@LANGUAGES
def test_the_plan_form_renders_last_reviewed_on_as_an_iso_date(
    lead_client, owned_audience, language
):
    MeasurementPlan.all_orgs.create(
        organisation=owned_audience.organisation,
        audience=owned_audience,
        process="Survey each term",
        last_reviewed_on=datetime.date(2024, 9, 2),
    )
    page = lead_client.get(
        f"/app/audiences/{owned_audience.slug}/measurement/plan/edit/",
        HTTP_ACCEPT_LANGUAGE=language,
    )
    tag = re.search(r'<input[^>]*name="last_reviewed_on"[^>]*>', page.content.decode()).group(0)
    assert 'type="date"' in tag
    assert 'value="2024-09-02"' in tag


@LANGUAGES
def test_the_plan_form_keeps_the_date_when_saved_unchanged(lead_client, owned_audience, language):
    plan = MeasurementPlan.all_orgs.create(
        organisation=owned_audience.organisation,
        audience=owned_audience,
        process="Survey each term",
        last_reviewed_on=datetime.date(2024, 9, 2),
    )
    url = f"/app/audiences/{owned_audience.slug}/measurement/plan/edit/"
    html = lead_client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    value = re.search(r'name="last_reviewed_on"[^>]*value="([^"]*)"', html)
    value = value.group(1) if value else ""
    # What a browser submits: a value a date input cannot hold is sanitised to "".
    submitted = value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
    lead_client.post(
        url,
        {"process": plan.process, "last_reviewed_on": submitted},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    plan.refresh_from_db()
    assert plan.last_reviewed_on == datetime.date(2024, 9, 2)


class _Times(BrowserForm):
    day = forms.DateField()
    at = forms.DateTimeField()
    clock = forms.TimeField()


@LANGUAGES
def test_every_date_and_time_widget_of_a_browser_form_is_iso_valued(language):
    translation.activate(language)
    form = _Times(
        initial={
            "day": datetime.date(2024, 9, 2),
            "at": datetime.datetime(2024, 9, 2, 8, 5, 59),
            "clock": datetime.time(8, 5, 59),
        }
    )
    html = str(form)
    assert re.search(r'type="date" name="day" value="2024-09-02"', html)
    assert re.search(r'type="datetime-local" name="at" value="2024-09-02T08:05"', html)
    assert re.search(r'type="time" name="clock" value="08:05"', html)
    bound = _Times({"day": "2024-09-02", "at": "2024-09-02T08:05", "clock": "08:05"})
    assert bound.is_valid(), bound.errors
