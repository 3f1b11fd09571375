"""Every multi-line text of a browser form has a maximum length (walk1 #10): its own, else
5,000 characters; over it the form refuses with the field's name and the count, and the
textarea carries `maxlength` and says the limit. Stylesheet: long unbroken text wraps."""

from __future__ import annotations

from pathlib import Path

import pytest
from django import forms
from django.urls import reverse

from journeys.forms import PersonaForm, QuoteForm, StageForm, TouchpointForm
from measurements.alert_forms import AlertNoteForm
from measurements.followup_forms import FollowUpForm
from measurements.opportunity_forms import OpportunityForm
from tests.factories import StageFactory

TEXTS = [
    (StageForm, ["description"]),
    (TouchpointForm, ["expectations", "emotions", "motivations", "obstacles"]),
    (PersonaForm, ["responsibilities", "goals", "pain_points", "triggers"]),
    (QuoteForm, ["text"]),
    (OpportunityForm, ["problem", "idea"]),
]


@pytest.mark.parametrize(("form_class", "names"), TEXTS)
def test_every_free_text_is_limited_to_5000_characters_with_maxlength(
    owned_audience, form_class, names
):
    needs_audience = form_class in (TouchpointForm, PersonaForm, OpportunityForm)
    form = form_class(audience=owned_audience) if needs_audience else form_class()
    for name in names:
        field = form.fields[name]
        assert isinstance(field.widget, forms.Textarea)
        assert field.max_length == 5000, name
        assert 'maxlength="5000"' in str(form[name]), name
        assert "Up to 5,000 characters." in field.help_text, name
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("x" * 5001)
        assert refused.value.messages == ["Keep it to 5,000 characters or fewer (this has 5,001)."]


def test_a_note_keeps_its_own_limit_and_says_it(org):
    for form, limit in ((AlertNoteForm(), "2000"), (FollowUpForm(organisation=org), "5000")):
        field = form.fields["note"]
        assert str(field.max_length) == limit
        assert f'maxlength="{limit}"' in str(form["note"])
        assert f"Up to {int(limit):,} characters." in field.help_text


def test_a_50000_character_stage_description_is_refused_naming_the_field(
    owner_client, owned_audience
):
    stage = StageFactory(
        audience=owned_audience, name="Enrolment", phase="during", description="Short."
    )
    url = reverse("journeys:stage_edit", args=[owned_audience.slug, stage.pk])
    answer = owner_client.post(
        url, {"name": "Enrolment", "phase": "during", "description": "y" * 50_000}
    )
    assert answer.status_code in (200, 400)
    assert (
        "Description: Keep it to 5,000 characters or fewer (this has 50,000)."
        in answer.content.decode()
    )
    stage.refresh_from_db()
    assert stage.description == "Short."


def test_long_unbroken_text_wraps_in_cells_and_notes():
    css = (Path(__file__).resolve().parents[2] / "static/css/app.css").read_text()
    rule = next(line for line in css.splitlines() if "overflow-wrap: anywhere" in line)
    for selector in (".note", ".history li", ".card p"):
        assert selector in rule.split("{")[0].split(", "), selector
    # Cells break only words longer than they can be; numbers stay whole (tests/e2e/
    # test_health_grid.py measures it at 390 px).
    assert "td { overflow-wrap: break-word; }" in css
