"""Writes for opportunities: create, update, status changes and delete, each audited in words.

One set of rules for the browser and the API: the touchpoints and the metric an opportunity
should move belong to its own audience, its owner to its organisation; `done_at` is set when
it becomes done and cleared when it leaves done (a reopened opportunity has no finish yet, so
no "after" is shown for it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audiences.models import ApiKey, Audience
from audiences.services import audience_check_open, audit_record, model_changes
from journeys.models import Touchpoint
from measurements.models import MetricDefinition, Opportunity, OpportunityStatus, Response

# The fields a write may set; `touchpoints` is the many-to-many.
FIELDS = ("problem", "idea", "owner", "value", "effort", "status", "definition", "touchpoints")
_UNSET = object()


def touchpoint_default_definition(touchpoint: Touchpoint) -> MetricDefinition | None:
    """The metric an opportunity at a touchpoint should move by default, as the map's
    "Measured by" reads: the first active definition named for the touchpoint, else the active
    one with the most answers tagged with it (an eNPS asked across the journey)."""
    definitions = MetricDefinition.objects.for_org(touchpoint.organisation_id).filter(active=True)
    named = definitions.filter(touchpoint=touchpoint).order_by("name", "pk").first()
    if named is not None:
        return named
    tagged = (
        Response.objects.for_org(touchpoint.organisation_id)
        .filter(touchpoint=touchpoint, definition__active=True)
        .values("definition_id")
        .annotate(n=Count("id"))
        .order_by("-n", "definition_id")
        .first()
    )
    return definitions.filter(pk=tagged["definition_id"]).first() if tagged else None


def _snapshot(opportunity: Opportunity, touchpoints: Iterable[Touchpoint]) -> dict[str, Any]:
    # In words for the audit page: names, not ids (a removed touchpoint keeps its name here).
    return {
        "problem": opportunity.problem,
        "idea": opportunity.idea,
        "owner": opportunity.owner.name if opportunity.owner else None,
        "value": opportunity.value,
        "effort": opportunity.effort,
        "status": opportunity.status,
        # "metric": the audit page labels it so (the field is `definition`).
        "metric": opportunity.definition.name if opportunity.definition else None,
        "touchpoints": sorted(t.name for t in touchpoints),
    }


def _validate(opportunity: Opportunity, touchpoints: list[Touchpoint], audience: Audience) -> None:
    """The rules that cross rows, each error on the field it is about."""
    errors: dict[str, list[str]] = {}
    strangers = [t.name for t in touchpoints if t.audience_id != audience.pk]
    if strangers:
        errors["touchpoints"] = [
            ngettext(
                "Touchpoint “%(names)s” is not on the journey of %(audience)s; an opportunity "
                "improves touchpoints of its own audience.",
                "Touchpoints “%(names)s” are not on the journey of %(audience)s; an opportunity "
                "improves touchpoints of its own audience.",
                len(strangers),
            )
            % {"names": ", ".join(strangers), "audience": audience.name}
        ]
    definition = opportunity.definition
    if definition is not None and definition.audience_id != audience.pk:
        errors["definition"] = [
            _("Metric “%(metric)s” measures another audience; choose a metric of %(audience)s.")
            % {"metric": definition.name, "audience": audience.name}
        ]
    owner = opportunity.owner
    if owner is not None and owner.organisation_id != audience.organisation_id:
        errors["owner"] = [_("Choose a person of this organisation.")]
    try:
        opportunity.full_clean(exclude=["organisation", "audience"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _apply_status(opportunity: Opportunity, status: str) -> None:
    if status == OpportunityStatus.DONE and opportunity.done_at is None:
        opportunity.done_at = timezone.now()
    elif status != OpportunityStatus.DONE:
        opportunity.done_at = None
    opportunity.status = status


@transaction.atomic
def opportunity_create(
    *,
    audience: Audience,
    data: dict[str, Any],
    actor_user: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
) -> Opportunity:
    """A new opportunity of `audience`. Left out of `data`, the owner is the audience's owner
    and the metric the first one measured at its first touchpoint (explicit None stays None)."""
    audience_check_open(audience)
    touchpoints = list(data.get("touchpoints") or [])
    owner = data.get("owner", _UNSET)
    definition = data.get("definition", _UNSET)
    if definition is _UNSET:
        definition = touchpoint_default_definition(touchpoints[0]) if touchpoints else None
    opportunity = Opportunity(
        organisation_id=audience.organisation_id,
        audience=audience,
        problem=(data.get("problem") or "").strip(),
        idea=(data.get("idea") or "").strip(),
        owner=audience.owner if owner is _UNSET else owner,
        value=data.get("value"),
        effort=data.get("effort"),
        definition=definition,
    )
    _apply_status(opportunity, data.get("status") or OpportunityStatus.IDEA)
    _validate(opportunity, touchpoints, audience)
    opportunity.save()
    opportunity.touchpoints.set(touchpoints)
    audit_record(
        organisation=audience.organisation,
        action="create",
        obj=opportunity,
        audience=audience,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=model_changes({}, _snapshot(opportunity, touchpoints)),
    )
    return opportunity


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
    data: dict[str, Any],
    actor_user: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
) -> Opportunity:
    """Change the fields present in `data` (a partial update leaves the others). An unchanged
    save writes nothing and records nothing."""
    audience = opportunity.audience
    # From the stored row: a bound ModelForm has already copied its data onto `opportunity`.
    opportunity = (
        Opportunity.objects.for_org(opportunity.organisation_id)
        # of=self: PostgreSQL locks no outer-joined (nullable) owner or metric row
        .select_for_update(of=("self",))
        .select_related("owner", "definition")
        .get(pk=opportunity.pk)
    )
    opportunity.audience = audience
    current = list(opportunity.touchpoints.all())
    before = _snapshot(opportunity, current)
    for name in ("problem", "idea"):
        if name in data:
            setattr(opportunity, name, (data[name] or "").strip())
    for name in ("owner", "value", "effort", "definition"):
        if name in data:
            setattr(opportunity, name, data[name])
    if data.get("status"):
        _apply_status(opportunity, data["status"])
    touchpoints = list(data["touchpoints"]) if "touchpoints" in data else current
    changes = model_changes(before, _snapshot(opportunity, touchpoints))
    if not changes:
        return opportunity
    audience_check_open(audience)
    _validate(opportunity, touchpoints, audience)
    opportunity.save()
    if "touchpoints" in changes:
        opportunity.touchpoints.set(touchpoints)
    audit_record(
        organisation=audience.organisation,
        action="update",
        obj=opportunity,
        audience=audience,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=changes,
    )
    return opportunity


@transaction.atomic
def opportunity_set_status(
    *,
    opportunity: Opportunity,
    status: str,
    actor_user: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
) -> Opportunity:
    """Move an opportunity along idea → planned → in progress → done (or back)."""
    if status not in OpportunityStatus.values:
        raise ValidationError(
            {"status": [_("“%(status)s” is not a status of an opportunity.") % {"status": status}]}
        )
    return opportunity_update(
        opportunity=opportunity,
        data={"status": status},
        actor_user=actor_user,
        actor_key=actor_key,
    )


@transaction.atomic
def opportunity_delete(
    *,
    opportunity: Opportunity,
    actor_user: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
) -> None:
    audience = opportunity.audience
    snapshot = _snapshot(opportunity, opportunity.touchpoints.all())
    audit_record(
        organisation=audience.organisation,
        action="delete",
        obj=opportunity,
        audience=audience,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={name: [value, None] for name, value in snapshot.items()},
    )
    opportunity.delete()
