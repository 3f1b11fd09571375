"""The Django admin lists every registry model; audit entries and key hashes are read-only."""

import pytest
from django.urls import reverse

from audiences.models import AuditEntry
from tests.factories import UserFactory


@pytest.fixture
def admin_client(client, owned_audience):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "model", ["organisation", "membership", "person", "audience", "apikey", "auditentry"]
)
def test_the_admin_lists_each_model(admin_client, model):
    response = admin_client.get(reverse(f"admin:audiences_{model}_changelist") + "?q=a")
    assert response.status_code == 200


def test_the_admin_cannot_change_an_audit_entry(admin_client, org):
    entry = AuditEntry.objects.create(organisation=org, action="created", object_type="audience")
    url = reverse("admin:audiences_auditentry_change", args=[entry.pk])
    admin_client.post(url, {"action": "forged"})
    entry.refresh_from_db()
    assert entry.action == "created"
    assert admin_client.get(reverse("admin:audiences_auditentry_add")).status_code == 403
