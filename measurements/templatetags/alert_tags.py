"""The alert block the shared audience page includes, so its view need not change: the tag
reads `measurements.alert_selectors`."""

from __future__ import annotations

from typing import Any

from django import template

from audiences.models import Audience
from measurements.alert_selectors import alert_list, alert_status_counts

register = template.Library()

SHOWN = 3


@register.inclusion_tag("measurements/_alert_audience.html")
def alert_audience_card(audience: Audience) -> dict[str, Any]:
    """The audience's open alerts (the newest few) and its counts, linking to the full list."""
    organisation = audience.organisation_id
    return {
        "audience": audience,
        "alerts": list(alert_list(organisation, audience=audience)[:SHOWN]),
        "counts": alert_status_counts(organisation, audience=audience),
    }
