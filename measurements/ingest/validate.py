"""Validating a whole batch: per-field checks, then one lookup query per kind of slug.

No query runs per item: audiences, metric definitions and touchpoints named anywhere in the
batch are fetched once each, then every item's slugs are resolved from those dictionaries
and the checks that need a definition (the score's scale) or two fields run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import Audience, Organisation
from audiences.services import audience_archived_message
from journeys.models import Touchpoint
from measurements.ingest.fields import (
    CASES,
    MEMBERS,
    RESPONSES,
    REVENUE,
    SPECS,
    ItemError,
    clean_item,
)
from measurements.kinds import kind_of
from measurements.models import MetricDefinition
from measurements.scales import scale_of


@dataclass
class Lookups:
    """What a batch's slugs resolve to; `by_kind` lists the active definitions per
    (audience id, kind), which is what the stale marks of cases, revenue and members need."""

    audiences: dict[str, Audience]
    definitions: dict[tuple[int, str], MetricDefinition]
    touchpoints: dict[tuple[int, str], int]
    by_kind: dict[tuple[int, str], list[MetricDefinition]]
    # Audience id -> (currency, slug of the CLV definition that sets it): revenue events in
    # another currency are refused, so a CLV never adds amounts of two currencies.
    currencies: dict[int, tuple[str, str]] = field(default_factory=dict)


def batch_lookups(organisation: Organisation, items: Iterable[dict[str, Any]]) -> Lookups:
    items = list(items)
    audience_slugs = {i["audience"] for i in items}
    audiences = {
        a.slug: a
        for a in Audience.objects.for_org(organisation)
        .filter(slug__in=audience_slugs)
        .select_related("owner")
    }
    audience_ids = [a.pk for a in audiences.values()]
    definitions: dict[tuple[int, str], MetricDefinition] = {}
    by_kind: dict[tuple[int, str], list[MetricDefinition]] = {}
    currencies: dict[int, tuple[str, str]] = {}
    for d in (
        MetricDefinition.objects.for_org(organisation)
        .filter(audience_id__in=audience_ids)
        .order_by("slug")
    ):
        definitions[(d.audience_id, d.slug)] = d
        if d.active:
            by_kind.setdefault((d.audience_id, d.kind), []).append(d)
        # Inactive ones too: a CLV reactivated later must not find other currencies summed.
        if d.currency and kind_of(d.kind).uses_revenue:
            currencies.setdefault(d.audience_id, (d.currency, d.slug))
    touchpoints: dict[tuple[int, str], int] = {}
    if any(i.get("touchpoint") for i in items):
        for t in Touchpoint.objects.for_org(organisation).filter(audience_id__in=audience_ids):
            touchpoints[(t.audience_id, t.slug)] = t.pk
    return Lookups(audiences, definitions, touchpoints, by_kind, currencies)


def _resolve(
    kind: str, clean: dict[str, Any], index: int | None, lk: Lookups
) -> tuple[dict[str, Any] | None, list[ItemError]]:
    """Turn slugs into ids and apply the checks that need the definition or two fields."""
    errors: list[ItemError] = []
    audience = lk.audiences.get(clean["audience"])
    if audience is None:
        message = gettext("No audience '%(audience)s'.") % {"audience": clean["audience"]}
        return None, [ItemError(index, "audience", message, "not_found")]
    if audience.archived:
        return None, [ItemError(index, "audience", audience_archived_message(audience), "archived")]
    clean["audience_obj"] = audience
    if clean.get("touchpoint"):
        tp = lk.touchpoints.get((audience.pk, clean["touchpoint"]))
        if tp is None:
            message = gettext("No touchpoint '%(touchpoint)s' in audience '%(audience)s'.") % {
                "touchpoint": clean["touchpoint"],
                "audience": audience.slug,
            }
            errors.append(ItemError(index, "touchpoint", message, "not_found"))
        clean["touchpoint_id"] = tp
    else:
        clean["touchpoint_id"] = None
    if kind == RESPONSES:
        definition = lk.definitions.get((audience.pk, clean["metric"]))
        if definition is None:
            message = gettext("No metric '%(metric)s' in audience '%(audience)s'.") % {
                "metric": clean["metric"],
                "audience": audience.slug,
            }
            errors.append(ItemError(index, "metric", message, "not_found"))
        elif not definition.active:
            message = gettext("Metric '%(metric)s' is inactive.") % {"metric": definition.slug}
            errors.append(ItemError(index, "metric", message, "inactive"))
        else:
            scale = scale_of(
                kind=definition.kind, scale_min=definition.scale_min, scale_max=definition.scale_max
            )
            if scale is None:
                message = gettext(
                    "Metric '%(metric)s' (%(kind)s) takes no scores: send cases, revenue events "
                    "or members instead."
                ) % {"metric": definition.slug, "kind": definition.get_kind_display()}
                errors.append(ItemError(index, "metric", message, "takes_no_scores"))
            elif not scale[0] <= clean["score"] <= scale[1]:
                message = gettext(
                    "Must be an integer from %(low)s to %(high)s (the scale of '%(metric)s')."
                ) % {"low": scale[0], "high": scale[1], "metric": definition.slug}
                errors.append(ItemError(index, "score", message, "out_of_scale"))
            clean["definition"] = definition
    elif kind == CASES:
        if clean["resolved_at"] is not None and clean["resolved_at"] < clean["opened_at"]:
            message = gettext("Must not be before %(field)s.") % {"field": "opened_at"}
            errors.append(ItemError(index, "resolved_at", message, "before_start"))
    elif kind == MEMBERS and clean["left_at"] is not None and clean["left_at"] < clean["joined_at"]:
        message = gettext("Must not be before %(field)s.") % {"field": "joined_at"}
        errors.append(ItemError(index, "left_at", message, "before_start"))
    elif kind == REVENUE and (found := lk.currencies.get(audience.pk)):
        currency, metric = found
        if clean["currency"] != currency:
            message = gettext(
                "Audience '%(audience)s' counts revenue in %(currency)s (the currency of its CLV "
                "metric '%(metric)s'); send amounts in %(currency)s, converted if need be."
            ) % {"audience": audience.slug, "currency": currency, "metric": metric}
            errors.append(ItemError(index, "currency", message, "currency_mismatch"))
    return (None if errors else clean), errors


@dataclass
class Validation:
    items: list[dict[str, Any]]
    errors: list[ItemError]
    lookups: Lookups


def validate_items(
    *,
    kind: str,
    organisation: Organisation,
    items: list[Any],
    single: bool = False,
    first_index: int = 0,
    now: datetime | None = None,
) -> Validation:
    """Check every item and resolve its slugs: the clean items and an error for every bad one.

    `single` leaves the index out of errors (a body that was one object, not a list);
    `first_index` numbers the items differently (the CSV import counts file rows).
    """
    now = now or timezone.now()
    specs = SPECS[kind]
    cleaned: list[tuple[int | None, dict[str, Any]]] = []
    errors: list[ItemError] = []
    for position, item in enumerate(items):
        index = None if single else first_index + position
        clean, item_errors = clean_item(item, index, specs, now)
        errors.extend(item_errors)
        if clean is not None:
            cleaned.append((index, clean))
    lookups = batch_lookups(organisation, (c for _, c in cleaned))
    resolved: list[dict[str, Any]] = []
    for index, clean in cleaned:
        item, item_errors = _resolve(kind, clean, index, lookups)
        errors.extend(item_errors)
        if item is not None:
            resolved.append(item)
    errors.sort(key=lambda e: -1 if e.index is None else e.index)
    return Validation(resolved, errors, lookups)
