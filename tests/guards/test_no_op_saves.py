"""Found by the round-trip guard on PostgreSQL: saving the untouched plan form of an audience
without a plan created an empty plan and a 'Created' audit entry."""

from django.urls import reverse

from audiences.models import AuditEntry
from measurements.models import MeasurementPlan


def test_saving_an_untouched_empty_plan_form_creates_nothing(owner_client, owned_audience):
    url = reverse("measurements:plan_edit", args=[owned_audience.slug])
    response = owner_client.post(
        url,
        {"process": "", "cadence": "", "data_sources": "", "run_by": "", "last_reviewed_on": ""},
    )
    assert response.status_code == 302
    assert not MeasurementPlan.all_orgs.filter(audience=owned_audience).exists()
    assert not AuditEntry.all_orgs.filter(object_type="measurementplan").exists()
    page = owner_client.get(response["Location"]).content.decode()
    assert "Nothing to save" in page


def test_a_plan_with_content_is_still_created(owner_client, owned_audience):
    url = reverse("measurements:plan_edit", args=[owned_audience.slug])
    owner_client.post(url, {"process": "Survey each term", "methods": ["interviews"]})
    assert MeasurementPlan.all_orgs.filter(audience=owned_audience).exists()
