"""Outbound webhooks: endpoints an organisation's lead registers, and each message sent to one.

Apps import one way: webhooks reads audiences only; measurements (and later alerts and
follow-ups) import `webhooks.services.webhook_emit` to send their events here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.models import Organisation, OrgOwned


class EventType(models.TextChoices):
    ALERT_OPENED = "alert.opened", _("An alert opened")
    ALERT_RESOLVED = "alert.resolved", _("An alert resolved")
    FOLLOWUP_CREATED = "followup.created", _("A follow-up created")
    FOLLOWUP_CLOSED = "followup.closed", _("A follow-up closed")
    ROLLUP_UPDATED = "rollup.updated", _("A metric's rolled-up value changed")


class BodyFormat(models.TextChoices):
    STANDARD = "standard", _("Standard Webhooks JSON")
    SLACK = "slack", _("Slack-compatible text")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook delivery status", "Pending")
    SENDING = "sending", pgettext_lazy("webhook delivery status", "Sending")
    RETRYING = "retrying", pgettext_lazy("webhook delivery status", "Retrying")
    SUCCEEDED = "succeeded", pgettext_lazy("webhook delivery status", "Succeeded")
    FAILED = "failed", pgettext_lazy("webhook delivery status", "Failed")


class WebhookEndpoint(OrgOwned):
    """A URL that receives the organisation's events, signed with its secret.

    The secret is kept as it is (a hash cannot sign); it is shown to the lead only once.
    During a rotation the previous secret signs too, until `previous_expires_at`.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list, blank=True)
    active = models.BooleanField(default=True)
    format = models.CharField(
        max_length=10, choices=BodyFormat.choices, default=BodyFormat.STANDARD
    )
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.description or self.url


class WebhookDelivery(OrgOwned):
    """One event for one endpoint: sent until a 2xx answer or the retry schedule runs out."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # The Standard Webhooks `webhook-id`: one per event (shared by its endpoints' deliveries),
    # the same on every retry so receivers can drop a message they already handled.
    message_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("webhook deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "message_id"], name="webhookdelivery_unique_endpoint_message"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"


class WebhookAttempt(OrgOwned):
    """One POST of a delivery: what the receiver answered, or why there was no answer."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    number = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        ordering = ["delivery_id", "number"]

    def __str__(self) -> str:
        return f"attempt {self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
