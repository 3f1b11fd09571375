"""Writes for measurement plans and metric definitions.

(Ingestion lives in `measurements.ingest`, rollups in `measurements.rollups`.)

`definition_validate` is the one place a metric definition's rules live, so the browser form
and the API refuse the same input with the same messages, named per field.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import ApiKey, Audience
from audiences.services import audience_check_open, audit_record, model_changes, snapshot
from measurements.ingest.fields import CURRENCY_RE
from measurements.kinds import KINDS, SCALE_LIMITS, Kind, Source
from measurements.models import (
    MeasurementPlan,
    MetricDefinition,
    Response,
    RevenueEvent,
    SupportCase,
)
from measurements.reviews import (
    REVIEW_EARLIEST,
    REVIEW_MONTHS_MAX,
    REVIEW_MONTHS_MESSAGE,
    REVIEW_MONTHS_MIN,
)
from measurements.tasks import enqueue_definition_rollup

PLAN_FIELDS = (
    "process",
    "methods",
    "cadence",
    "review_every_months",
    "data_sources",
    "run_by",
    "last_reviewed_on",
)
# A new definition over cases or members already stored (TTR, retention, churn, CLV) has
# numbers at once; changing one of these fields changes numbers already rolled up.
# A change of these re-runs the definition's rollup (and so its alerts) at once, rather than
# at the nightly run: a lowered threshold opens the alert its stored months already cross.
RECOMPUTE_FIELDS = {
    "kind",
    "scale_min",
    "scale_max",
    "touchpoint",
    "margin_percent",
    "alert_threshold",
    "alert_min_n",
}
DEFINITION_FIELDS = (
    "kind",
    "name",
    "slug",
    "scale_min",
    "scale_max",
    "touchpoint",
    "target",
    "alert_threshold",
    "alert_min_n",
    "followup_threshold",
    "margin_percent",
    "currency",
    "min_group_size",
    "active",
)
# A CLV definition's currency when none is given and nothing stored names one.
DEFAULT_CURRENCY = "EUR"


# --- measurement plans ---------------------------------------------------------------------


@transaction.atomic
def plan_save(
    *,
    audience: Audience,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> MeasurementPlan:
    """Create or update the audience's one measurement plan and record what changed."""
    plan = MeasurementPlan.objects.for_org(audience.organisation_id).select_for_update().filter(
        audience=audience
    ).first() or MeasurementPlan(organisation=audience.organisation, audience=audience)
    creating = plan.pk is None
    before = snapshot(plan, PLAN_FIELDS) if not creating else {}
    for name in PLAN_FIELDS:
        if name in data:
            value = data[name]
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
    # Keep the methods in the order of the choices so that "no change" compares equal.
    plan.methods = sorted(set(plan.methods or []), key=_method_order)
    if plan.last_reviewed_on and plan.last_reviewed_on > timezone.localdate():
        raise ValidationError(
            {"last_reviewed_on": gettext("The last review cannot be in the future.")}
        )
    if plan.last_reviewed_on and plan.last_reviewed_on < REVIEW_EARLIEST:
        raise ValidationError(
            {
                "last_reviewed_on": gettext("The last review cannot be before %(year)s.")
                % {"year": REVIEW_EARLIEST.year}
            }
        )
    months = plan.review_every_months
    if months is not None and not REVIEW_MONTHS_MIN <= months <= REVIEW_MONTHS_MAX:
        raise ValidationError({"review_every_months": REVIEW_MONTHS_MESSAGE})
    if months and before.get("last_reviewed_on") and plan.last_reviewed_on is None:
        # Clearing the date would restart the review clock from this save and make an overdue
        # reminder vanish without a review (walk1 #9).
        raise ValidationError(
            {
                "last_reviewed_on": gettext(
                    "A plan with a review cadence keeps its last review date: "
                    "use “Mark reviewed today” after a review, or empty “Review every (months)” "
                    "to stop the reminders."
                )
            }
        )
    plan.full_clean()
    changes = model_changes(before, snapshot(plan, PLAN_FIELDS))
    if creating or changes:
        # Not on an unchanged save: a plan never reviewed is due counting from its last save
        # (measurements.reviews), which an untouched form must not move.
        plan.save()
    if changes:
        audit_record(
            organisation=audience.organisation,
            action="create" if creating else "update",
            obj=plan,
            # The type column says "Measurement plan" in the reader's language; str(plan) is
            # an English sentence.
            object_repr=audience.name,
            audience=audience,
            actor_user=actor_user,
            actor_key=actor_key,
            changes=changes,
        )
    return plan


def _method_order(method: str) -> int:
    from measurements.models import Method

    values = list(Method.values)
    return values.index(method) if method in values else len(values)


# --- metric definitions --------------------------------------------------------------------

Problems = list[tuple[str, str]]  # (field, message), in the order they are reported


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _target_range(spec: Kind, scale: tuple[int, int] | None) -> tuple[float | None, float | None]:
    """The range a target or alert threshold can take."""
    if spec.target_range is not None:
        return spec.target_range
    lo, hi = spec.value_range
    if spec.default_scale is not None and lo is None and hi is None and scale is not None:
        return scale  # a mean (CES) lies within the definition's own scale
    return lo, hi


def _range_words(lo: float | None, hi: float | None) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if lo is not None and hi is not None:
        return gettext("between %(low)s and %(high)s") % {"low": fmt(lo), "high": fmt(hi)}
    if lo is not None:
        return gettext("at least %(low)s") % {"low": fmt(lo)}
    return gettext("at most %(high)s") % {"high": fmt(hi)}


def _has_results(definition: MetricDefinition, spec: Kind) -> bool:
    if definition.pk is None:
        return False
    org_id = definition.organisation_id
    if Response.objects.for_org(org_id).filter(definition=definition).exists():
        return True
    return spec.source == Source.CASES and (
        SupportCase.objects.for_org(org_id).filter(audience_id=definition.audience_id).exists()
    )


def _names_fill(definition: MetricDefinition, label: str) -> None:
    definition.name = (definition.name or "").strip() or label
    definition.slug = (definition.slug or "").strip() or definition.kind


def _slug_rule(definition: MetricDefinition) -> Problems:
    clash = (
        MetricDefinition.objects.for_org(definition.audience.organisation_id)
        .filter(audience=definition.audience, slug=definition.slug)
        .exclude(pk=definition.pk)
    )
    if not clash.exists():
        return []
    slug = definition.slug
    return [
        (
            "slug",
            gettext(
                "This audience already has a metric with the slug “%(slug)s”; choose another "
                "slug (e.g. “%(slug)s-2” or one naming the touchpoint)."
            )
            % {"slug": slug},
        )
    ]


def _scale_rule(
    definition: MetricDefinition, spec: Kind, label: str
) -> tuple[tuple[int, int] | None, Problems]:
    """The definition's scale (filled in from the kind's default), or None when it has none or
    it is invalid, and the problems found."""
    default = spec.default_scale
    if default is None:
        if definition.scale_min is None and definition.scale_max is None:
            return None, []
        field = "scale_min" if definition.scale_min is not None else "scale_max"
        return None, [
            (field, gettext("%(label)s has no scale; leave the scale empty.") % {"label": label})
        ]
    problems: Problems = []
    if spec.fixed_scale:
        words = gettext("%(label)s is always on %(low)s–%(high)s; the scale cannot change.") % {
            "label": spec.label,
            "low": default[0],
            "high": default[1],
        }
        for field, fixed in (("scale_min", default[0]), ("scale_max", default[1])):
            if getattr(definition, field) not in (None, fixed):
                problems.append((field, words))
        definition.scale_min, definition.scale_max = default
        return default, problems
    lo = default[0] if definition.scale_min is None else definition.scale_min
    hi = default[1] if definition.scale_max is None else definition.scale_max
    low, high = SCALE_LIMITS
    for field, value in (("scale_min", lo), ("scale_max", hi)):
        if not low <= value <= high:
            problems.append(
                (
                    field,
                    gettext("Choose a whole number between %(low)s and %(high)s.")
                    % {"low": low, "high": high},
                )
            )
    if not problems and lo >= hi:
        problems.append(
            (
                "scale_max",
                gettext("The top of the scale must be above its bottom (at least 2 points)."),
            )
        )
    if problems:
        return None, problems
    definition.scale_min, definition.scale_max = lo, hi
    return (lo, hi), []


def _touchpoint_rule(definition: MetricDefinition) -> Problems:
    if definition.touchpoint_id is None:
        return []
    if definition.touchpoint.audience_id == definition.audience.pk:
        return []
    return [("touchpoint", gettext("Choose a touchpoint on this audience's journey."))]


def _bounds_rule(
    definition: MetricDefinition, spec: Kind, label: str, scale: tuple[int, int] | None
) -> Problems:
    """Target and alert threshold: finite, and within what the metric's value can be."""
    problems: Problems = []
    for field in ("target", "alert_threshold"):
        number = _finite(getattr(definition, field))
        if number is None:
            continue
        if not math.isfinite(number):
            problems.append((field, gettext("Enter a finite number.")))
            continue
        setattr(definition, field, number)
        if spec.default_scale is not None and scale is None:
            continue  # the scale is invalid (reported on its field): no range to check against
        lo, hi = _target_range(spec, scale)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            problems.append(
                (
                    field,
                    gettext("%(label)s values are %(range)s; %(number)s is out of range.")
                    % {"label": label, "range": _range_words(lo, hi), "number": f"{number:g}"},
                )
            )
    return problems


def _margin_rule(definition: MetricDefinition, spec: Kind) -> Problems:
    raw = definition.margin_percent
    try:
        margin = Decimal(str(raw if raw is not None else 100))
    except InvalidOperation:
        margin = Decimal("NaN")
    if not margin.is_finite() or not Decimal(0) <= margin <= Decimal(100):
        return [("margin_percent", gettext("Enter a gross margin between 0 and 100 (%%).") % {})]
    if not spec.uses_revenue and margin != Decimal(100):
        return [("margin_percent", gettext("Gross margin applies to CLV only; leave it at 100."))]
    definition.margin_percent = margin
    return []


def _most_common_currency(revenue: Any) -> str | None:
    """The currency most revenue events are in (ties: the first code alphabetically)."""
    counts = revenue.values("currency").annotate(c=Count("*")).order_by("-c", "currency")
    first = counts.values_list("currency", flat=True).first()
    return first or None


def _audience_currency(definition: MetricDefinition) -> tuple[str, str] | None:
    """The currency the audience's revenue is already counted in, and what says so: another
    CLV definition of the audience, else its stored revenue events (the most common)."""
    org_id = definition.audience.organisation_id
    other = (
        MetricDefinition.objects.for_org(org_id)
        .filter(audience=definition.audience, kind=definition.kind)
        .exclude(pk=definition.pk)
        .exclude(currency="")
        .order_by("slug")
        .first()
    )
    if other is not None:
        return other.currency, gettext("its CLV metric “%(slug)s”") % {"slug": other.slug}
    stored = _most_common_currency(
        RevenueEvent.objects.for_org(org_id).filter(audience=definition.audience)
    )
    return (stored, gettext("its stored revenue events")) if stored else None


def _currency_rule(definition: MetricDefinition, spec: Kind) -> Problems:
    """CLV sums revenue events in one currency, the definition's: required (filled in from
    the audience's revenue, else the organisation's, else EUR), 3 capitals, and the one the
    audience's revenue is in; every other kind has none."""
    currency = definition.currency or ""
    if not spec.uses_revenue:
        if currency:
            return [("currency", gettext("Currency applies to CLV only; leave it empty."))]
        return []
    found = _audience_currency(definition)
    if not currency:
        organisation = _most_common_currency(
            RevenueEvent.objects.for_org(definition.audience.organisation_id)
        )
        currency = found[0] if found else organisation or DEFAULT_CURRENCY
        definition.currency = currency
    if not CURRENCY_RE.fullmatch(currency):
        return [("currency", gettext("Enter a 3-letter ISO 4217 code in capitals, e.g. EUR."))]
    if found is not None and found[0] != currency:
        expected, source = found
        return [
            (
                "currency",
                gettext(
                    "This audience's revenue is in %(currency)s (%(source)s); a CLV adds amounts "
                    "of one currency, so use %(currency)s."
                )
                % {"currency": expected, "source": source},
            )
        ]
    return []


def _alert_min_n_rule(definition: MetricDefinition) -> Problems:
    # 0 would let a month without a single response alert (and a month always has its n).
    if definition.alert_min_n is None or definition.alert_min_n < 1:
        return [("alert_min_n", gettext("Enter at least 1: an alert needs data behind it."))]
    return []


def _followup_threshold_rule(
    definition: MetricDefinition, spec: Kind, label: str, scale: tuple[int, int] | None
) -> Problems:
    value = definition.followup_threshold
    if value is None:
        return []
    if spec.followup_default is None:
        return [
            (
                "followup_threshold",
                gettext("%(label)s makes no follow-ups; leave it empty.") % {"label": label},
            )
        ]
    if scale is not None and not scale[0] <= value <= scale[1]:
        return [
            (
                "followup_threshold",
                gettext("Enter a score on the scale, %(low)s to %(high)s.")
                % {"low": scale[0], "high": scale[1]},
            )
        ]
    return []


def _group_size_rule(definition: MetricDefinition) -> Problems:
    if definition.min_group_size is not None and definition.min_group_size < 1:
        return [("min_group_size", gettext("Enter at least 1, or leave it empty for the default."))]
    return []


def _stored_results_rule(definition: MetricDefinition, spec: Kind) -> Problems:
    """Changes that would misread results already stored: kind and scale are then fixed."""
    if definition.pk is None or not _has_results(definition, spec):
        return []
    stored = (
        MetricDefinition.objects.for_org(definition.organisation_id)
        .filter(pk=definition.pk)
        .values("kind", "scale_min", "scale_max")[0]
    )
    if stored["kind"] != definition.kind:
        return [
            (
                "kind",
                gettext(
                    "Results are stored for this metric; its kind cannot change. "
                    "Deactivate it and add a new definition instead."
                ),
            )
        ]
    if (stored["scale_min"], stored["scale_max"]) != (definition.scale_min, definition.scale_max):
        return [
            (
                "scale_max",
                gettext(
                    "Results are stored on the current scale; it cannot change. "
                    "Deactivate this metric and add a new definition instead."
                ),
            )
        ]
    return []


def definition_validate(definition: MetricDefinition) -> None:
    """Check a metric definition against the product's rules and fill in its defaults.

    Fills: slug (the kind), name (the kind's label for this audience), the scale (the kind's
    default; a fixed scale such as NPS's 0–10 always), a CLV's currency (the audience's
    revenue currency, else the organisation's, else EUR). Raises ValidationError keyed by field,
    with every problem found. The kind's rules come from `measurements.kinds.KINDS`.
    """
    spec = KINDS.get(definition.kind) if isinstance(definition.kind, str) else None
    if spec is None:
        raise ValidationError(
            {"kind": [gettext("Choose one of: %(kinds)s.") % {"kinds": ", ".join(KINDS)}]}
        )
    label = str(spec.label_for(definition.audience.kind))
    _names_fill(definition, label)
    scale, scale_problems = _scale_rule(definition, spec, label)
    problems = [
        *_slug_rule(definition),
        *scale_problems,
        *_touchpoint_rule(definition),
        *_bounds_rule(definition, spec, label, scale),
        *_margin_rule(definition, spec),
        *_currency_rule(definition, spec),
        *_alert_min_n_rule(definition),
        *_followup_threshold_rule(definition, spec, label, scale),
        *_group_size_rule(definition),
        *_stored_results_rule(definition, spec),
    ]
    if problems:
        errors: dict[str, list[str]] = {}
        for field, message in problems:
            errors.setdefault(field, []).append(message)
        raise ValidationError(errors)


def _definition_write(
    *,
    definition: MetricDefinition,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    before: dict[str, Any],
    action: str,
) -> MetricDefinition:
    audience_check_open(definition.audience)
    definition_validate(definition)
    definition.full_clean()
    definition.save()
    changes = model_changes(before, snapshot(definition, DEFINITION_FIELDS))
    if action == "create" or RECOMPUTE_FIELDS & changes.keys():
        transaction.on_commit(lambda: enqueue_definition_rollup(definition))
    if changes or action == "create":
        audit_record(
            organisation=definition.audience.organisation,
            action=action,
            obj=definition,
            audience=definition.audience,
            actor_user=actor_user,
            actor_key=actor_key,
            changes=changes,
        )
    return definition


@transaction.atomic
def definition_create(
    *,
    audience: Audience,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> MetricDefinition:
    """Add a metric definition to an audience (validated by `definition_validate`)."""
    definition = MetricDefinition(organisation=audience.organisation, audience=audience)
    for name in DEFINITION_FIELDS:
        if name in data:
            setattr(definition, name, data[name])
    return _definition_write(
        definition=definition,
        actor_user=actor_user,
        actor_key=actor_key,
        before={},
        action="create",
    )


@transaction.atomic
def definition_update(
    *,
    definition: MetricDefinition,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> MetricDefinition:
    """Change a metric definition; kind and scale are fixed once results are stored."""
    stored = (
        MetricDefinition.objects.for_org(definition.organisation_id)
        .select_for_update()
        .get(pk=definition.pk)
    )
    before = snapshot(stored, DEFINITION_FIELDS)
    for name in DEFINITION_FIELDS:
        if name in data:
            setattr(definition, name, data[name])
    return _definition_write(
        definition=definition,
        actor_user=actor_user,
        actor_key=actor_key,
        before=before,
        action="update",
    )


@transaction.atomic
def definition_set_active(
    *,
    definition: MetricDefinition,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    active: bool,
) -> MetricDefinition:
    """Deactivate (or reactivate) a definition; never delete it, since results hang off it."""
    if definition.active == active:
        return definition
    before = {"active": definition.active}
    definition.active = active
    definition.save(update_fields=["active", "updated_at"])
    audit_record(
        organisation=definition.audience.organisation,
        action="activate" if active else "deactivate",
        obj=definition,
        audience=definition.audience,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=model_changes(before, {"active": active}),
    )
    return definition
