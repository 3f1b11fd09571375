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
from django.utils import timezone

from audiences.models import ApiKey, Audience
from audiences.services import audience_check_open, audit_record, model_changes, snapshot
from measurements.formulas import kind_label
from measurements.models import (
    MeasurementPlan,
    MetricDefinition,
    MetricKind,
    Response,
    SupportCase,
)
from measurements.scales import default_scale, scale_of
from measurements.tasks import enqueue_definition_rollup

PLAN_FIELDS = ("process", "methods", "cadence", "data_sources", "run_by", "last_reviewed_on")
# A new definition over cases or members already stored (TTR, retention, churn, CLV) has
# numbers at once; changing one of these fields changes numbers already rolled up.
RECOMPUTE_FIELDS = {"kind", "scale_min", "scale_max", "touchpoint", "margin_percent"}
DEFINITION_FIELDS = (
    "kind",
    "name",
    "slug",
    "scale_min",
    "scale_max",
    "touchpoint",
    "target",
    "alert_threshold",
    "margin_percent",
    "min_group_size",
    "active",
)

# A chosen scale stays small enough to be a rating scale a person answers.
SCALE_LIMITS = (0, 100)


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
        raise ValidationError({"last_reviewed_on": "The last review cannot be in the future."})
    plan.full_clean()
    plan.save()
    changes = model_changes(before, snapshot(plan, PLAN_FIELDS))
    if changes:
        audit_record(
            organisation=audience.organisation,
            action="create" if creating else "update",
            obj=plan,
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


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def _value_range(kind: str, scale: tuple[int, int] | None) -> tuple[float | None, float | None]:
    """The range a metric's value can take, for checking targets and thresholds."""
    if kind == MetricKind.NPS:
        return -100.0, 100.0
    if kind == MetricKind.CSAT:
        return 0.0, 100.0
    if kind == MetricKind.CES:
        return float(scale[0]), float(scale[1])
    if kind in (MetricKind.TTR, MetricKind.CLV):
        return 0.0, None
    # Retention can fall below 0 and churn rise above 100 (PRODUCT.md): any finite number.
    return None, None


def _range_words(lo: float | None, hi: float | None) -> str:
    def fmt(x: float) -> str:
        return f"{x:g}"

    if lo is not None and hi is not None:
        return f"between {fmt(lo)} and {fmt(hi)}"
    if lo is not None:
        return f"at least {fmt(lo)}"
    return f"at most {fmt(hi)}"


def _has_results(definition: MetricDefinition) -> bool:
    if definition.pk is None:
        return False
    org_id = definition.organisation_id
    if Response.objects.for_org(org_id).filter(definition=definition).exists():
        return True
    return definition.kind == MetricKind.TTR and (
        SupportCase.objects.for_org(org_id).filter(audience_id=definition.audience_id).exists()
    )


def definition_validate(definition: MetricDefinition) -> None:
    """Check a metric definition against the product's rules and fill in its defaults.

    Fills: slug (the kind), name (the kind's label for this audience), the scale (the kind's
    default; NPS always 0–10). Raises ValidationError keyed by field, with every problem found.
    """
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    kind = definition.kind
    if kind not in MetricKind.values:
        err("kind", f"Choose one of: {', '.join(MetricKind.values)}.")
        raise ValidationError(errors)
    audience = definition.audience
    label = kind_label(kind=kind, audience_kind=audience.kind)

    definition.name = (definition.name or "").strip() or label
    definition.slug = (definition.slug or "").strip() or kind
    clash = (
        MetricDefinition.objects.for_org(audience.organisation_id)
        .filter(audience=audience, slug=definition.slug)
        .exclude(pk=definition.pk)
    )
    if clash.exists():
        err(
            "slug",
            f"This audience already has a metric with the slug “{definition.slug}”; "
            "choose another slug (e.g. "
            f"“{definition.slug}-2” or one naming the touchpoint).",
        )

    # --- scale ---
    scale = None
    default = default_scale(kind)
    if default is None:
        if definition.scale_min is not None or definition.scale_max is not None:
            field = "scale_min" if definition.scale_min is not None else "scale_max"
            err(field, f"{label} has no scale; leave the scale empty.")
    elif kind == MetricKind.NPS:
        if definition.scale_min not in (None, 0):
            err("scale_min", "NPS is always on 0–10; the scale cannot change.")
        if definition.scale_max not in (None, 10):
            err("scale_max", "NPS is always on 0–10; the scale cannot change.")
        scale = default
    else:
        lo, hi = scale_of(kind=kind, scale_min=definition.scale_min, scale_max=definition.scale_max)
        ok = True
        for field, value in (("scale_min", lo), ("scale_max", hi)):
            if not SCALE_LIMITS[0] <= value <= SCALE_LIMITS[1]:
                err(
                    field, f"Choose a whole number between {SCALE_LIMITS[0]} and {SCALE_LIMITS[1]}."
                )
                ok = False
        if ok and lo >= hi:
            err("scale_max", "The top of the scale must be above its bottom (at least 2 points).")
            ok = False
        if ok:
            scale = (lo, hi)
    if scale is not None:
        definition.scale_min, definition.scale_max = scale
    elif default is not None:
        scale = None  # invalid scale: range checks below that need it are skipped

    # --- touchpoint ---
    if definition.touchpoint_id is not None and definition.touchpoint.audience_id != audience.pk:
        err("touchpoint", "Choose a touchpoint on this audience's journey.")

    # --- target and alert threshold ---
    for field in ("target", "alert_threshold"):
        raw = getattr(definition, field)
        number = _finite(raw)
        if number is None:
            continue
        if not math.isfinite(number):
            err(field, "Enter a finite number.")
            continue
        setattr(definition, field, number)
        if default is not None and scale is None:
            continue
        lo, hi = _value_range(kind, scale)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            err(field, f"{label} values are {_range_words(lo, hi)}; {number:g} is out of range.")

    # --- margin ---
    try:
        margin = Decimal(
            str(definition.margin_percent if definition.margin_percent is not None else 100)
        )
    except InvalidOperation:
        margin = Decimal("NaN")
    if not margin.is_finite() or not Decimal(0) <= margin <= Decimal(100):
        err("margin_percent", "Enter a gross margin between 0 and 100 (%).")
    elif kind != MetricKind.CLV and margin != Decimal(100):
        err("margin_percent", "Gross margin applies to CLV only; leave it at 100.")
    else:
        definition.margin_percent = margin

    # --- group size ---
    if definition.min_group_size is not None and definition.min_group_size < 1:
        err("min_group_size", "Enter at least 1, or leave it empty for the default.")

    # --- changes that would misread results already stored ---
    if definition.pk is not None and _has_results(definition):
        stored = (
            MetricDefinition.objects.for_org(definition.organisation_id)
            .filter(pk=definition.pk)
            .values("kind", "scale_min", "scale_max")[0]
        )
        if stored["kind"] != kind:
            err(
                "kind",
                "Results are stored for this metric; its kind cannot change. "
                "Deactivate it and add a new definition instead.",
            )
        elif (stored["scale_min"], stored["scale_max"]) != (
            definition.scale_min,
            definition.scale_max,
        ):
            err(
                "scale_max",
                "Results are stored on the current scale; it cannot change. "
                "Deactivate this metric and add a new definition instead.",
            )

    if errors:
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
