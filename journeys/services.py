"""Writes for journey maps (stages, touchpoints) and personas (with their quotes).

Every write records an audit entry with the audience and the acting user in the same
transaction. Reordering locks the audience row first, so two editors moving cards at once
are serialised and positions stay a gap-free 0..n-1 sequence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, QuerySet, RestrictedError
from django.utils.translation import gettext

from audiences.models import ApiKey, Audience
from audiences.services import audit_record, model_changes, snapshot
from axreg.names import slug_from_name
from journeys.models import Persona, PersonaQuote, Phase, Stage, Touchpoint
from journeys.selectors import TouchpointCarried, touchpoints_carried

STAGE_FIELDS = ("name", "phase", "description")
TOUCHPOINT_FIELDS = (
    "stage",
    "name",
    "slug",
    "channel",
    "expectations",
    "emotions",
    "motivations",
    "obstacles",
    "owner",
)
PERSONA_FIELDS = ("name", "role", "responsibilities", "goals", "pain_points", "triggers")
QUOTE_FIELDS = ("text", "source", "source_detail")


def _assign(obj: Any, fields: tuple[str, ...], data: dict[str, Any]) -> None:
    for name in fields:
        if name in data:
            value = data[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _audit(
    *,
    audience: Audience,
    action: str,
    obj: Any,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
) -> None:
    audit_record(
        organisation=audience.organisation,
        action=action,
        obj=obj,
        audience=audience,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=changes,
        object_repr=object_repr,
    )


def _lock_audience(audience: Audience) -> None:
    Audience.objects.for_org(audience.organisation_id).select_for_update().filter(
        pk=audience.pk
    ).first()


def _renumber(items: list[Any]) -> None:
    for index, item in enumerate(items):
        if item.position != index:
            item.position = index
            item.save(update_fields=["position"])


def _move(items: list[Any], item_id: int, offset: int) -> int | None:
    """Swap an item with its neighbour; returns its new index, or None when at the edge."""
    index = next(i for i, item in enumerate(items) if item.pk == item_id)
    target = index + offset
    if not 0 <= target < len(items):
        return None
    items[index], items[target] = items[target], items[index]
    _renumber(items)
    return target


def stage_refusal(stage: Stage, carried: list[TouchpointCarried]) -> list[str]:
    """Why the stage stays: one sentence per touchpoint that stored rows carry."""
    return [
        gettext(
            "The stage “%(stage)s” cannot be removed: its touchpoint “%(touchpoint)s” "
            "(%(slug)s) is carried by %(carried_by)s, which would lose it. Move that "
            "touchpoint to another stage first, or rename the stage."
        )
        % {
            "stage": stage.name,
            "touchpoint": c.touchpoint.name,
            "slug": c.touchpoint.slug,
            "carried_by": c.describe(),
        }
        for c in carried
    ]


def touchpoint_refusal(carried: TouchpointCarried) -> str:
    """Why the touchpoint stays, naming it and what carries it."""
    return gettext(
        "The touchpoint “%(touchpoint)s” (%(slug)s) cannot be removed: it is carried by "
        "%(carried_by)s, which would lose it. Rename it or move it to another stage instead."
    ) % {
        "touchpoint": carried.touchpoint.name,
        "slug": carried.touchpoint.slug,
        "carried_by": carried.describe(),
    }


def _delete_unless_carried(
    obj: Stage | Touchpoint,
    touchpoints: QuerySet[Touchpoint],
    refuse: Callable[[list[TouchpointCarried]], dict[str, list[str]]],
) -> None:
    """Delete `obj` (and the touchpoints it takes) only when no stored row carries them:
    nothing already stored loses its touchpoint. Checked with counts first; the PROTECT or
    RESTRICT on those keys is the backstop for a row that arrived since (the collector then
    finds only that handful), answered the same way."""
    carried = touchpoints_carried(touchpoints=touchpoints)
    if carried:
        raise ValidationError(refuse(carried))
    try:
        obj.delete()
    except (ProtectedError, RestrictedError) as exc:
        raise ValidationError(refuse(touchpoints_carried(touchpoints=touchpoints))) from exc


# --- stages --------------------------------------------------------------------------------

PHASE_ORDER = [value for value, _label in Phase.choices]


def stage_place_for_phase(stages: list[Stage], phase: str) -> int:
    """Where a new stage of `phase` goes: after the last stage of its phase or an earlier one
    (the journey reads before → during → after, and the map's before/after gap groups by
    phase); first when every stage is of a later phase. A journey dragged out of phase order
    keeps its order: the new stage follows the last stage it may follow."""
    rank = PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER)
    return max(
        (i + 1 for i, s in enumerate(stages) if PHASE_ORDER.index(s.phase) <= rank), default=0
    )


@transaction.atomic
def stage_create(
    *,
    audience: Audience,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> Stage:
    """Add a stage at the end of its phase (before → during → after), moving later stages
    one place right."""
    _lock_audience(audience)
    stage = Stage(organisation=audience.organisation, audience=audience)
    _assign(stage, STAGE_FIELDS, data)
    stages = list(Stage.objects.for_org(audience.organisation_id).filter(audience=audience))
    stage.position = stage_place_for_phase(stages, stage.phase)
    stage.full_clean()
    stage.save()
    stages.insert(stage.position, stage)
    _renumber(stages)
    _audit(
        audience=audience,
        action="create",
        obj=stage,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=model_changes({}, snapshot(stage, STAGE_FIELDS)),
    )
    return stage


@transaction.atomic
def stage_update(
    *,
    stage: Stage,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> Stage:
    before = snapshot(Stage.objects.for_org(stage.organisation_id).get(pk=stage.pk), STAGE_FIELDS)
    _assign(stage, STAGE_FIELDS, data)
    stage.full_clean()
    stage.save()
    changes = model_changes(before, snapshot(stage, STAGE_FIELDS))
    if changes:
        _audit(
            audience=stage.audience,
            action="update",
            obj=stage,
            actor_user=actor_user,
            actor_key=actor_key,
            changes=changes,
        )
    return stage


@transaction.atomic
def stage_delete(
    *, stage: Stage, actor_user: AbstractBaseUser | None, actor_key: ApiKey | None = None
) -> None:
    """Remove a stage and its touchpoints; metric definitions on them lose their touchpoint.
    Refused (ValidationError on "stage", nothing changed) while stored responses or cases
    carry one of its touchpoints."""
    audience = stage.audience
    _lock_audience(audience)
    touchpoints = list(stage.touchpoints.values_list("name", flat=True))
    _audit(
        audience=audience,
        action="delete",
        obj=stage,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={"name": [stage.name, None], "touchpoints": [touchpoints, None]},
    )
    _delete_unless_carried(
        stage,
        Touchpoint.objects.for_org(audience.organisation_id).filter(stage_id=stage.pk),
        lambda carried: {"stage": stage_refusal(stage, carried)},
    )
    _renumber(list(Stage.objects.for_org(audience.organisation_id).filter(audience=audience)))


@transaction.atomic
def stage_move(
    *,
    stage: Stage,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    offset: int,
) -> bool:
    """Move a stage one column left (-1) or right (+1). False when already at that edge."""
    audience = stage.audience
    _lock_audience(audience)
    stages = list(Stage.objects.for_org(audience.organisation_id).filter(audience=audience))
    old = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    new = _move(stages, stage.pk, offset)
    if new is None:
        return False
    _audit(
        audience=audience,
        action="move",
        obj=stage,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={"position": [old + 1, new + 1]},
    )
    return True


def _reorder(items: list[Any], order: list[int], refusal: str) -> list[str] | None:
    """Put `items` in the order of the ids in `order` (all of them, once each); returns the
    names in the old order, or None when nothing changes."""
    by_id = {item.pk: item for item in items}
    if sorted(order) != sorted(by_id) or len(set(order)) != len(order):
        raise ValidationError({"order": refusal})
    old = [item.name for item in items]
    if [item.pk for item in items] == list(order):
        return None
    _renumber([by_id[pk] for pk in order])
    return old


@transaction.atomic
def stage_reorder(
    *,
    audience: Audience,
    order: list[int],
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
) -> list[Stage]:
    """Put the audience's stages in the given order of ids (a drag and drop on the map)."""
    _lock_audience(audience)
    stages = list(Stage.objects.for_org(audience.organisation_id).filter(audience=audience))
    old = _reorder(
        stages, order, gettext("Give every stage once: the page may be out of date, reload it.")
    )
    ordered = list(Stage.objects.for_org(audience.organisation_id).filter(audience=audience))
    if old is not None:
        _audit(
            audience=audience,
            action="move",
            obj=audience,
            actor_user=actor_user,
            actor_key=actor_key,
            changes={"stage order": [", ".join(old), ", ".join(s.name for s in ordered)]},
            object_repr=f"Journey stages of {audience.name}",
        )
    return ordered


@transaction.atomic
def touchpoint_reorder(
    *,
    stage: Stage,
    order: list[int],
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
) -> list[Touchpoint]:
    """Put a stage's touchpoints in the given order of ids (a drag and drop on the map)."""
    audience = stage.audience
    _lock_audience(audience)
    touchpoints = Touchpoint.objects.for_org(audience.organisation_id).filter(stage_id=stage.pk)
    old = _reorder(
        list(touchpoints),
        order,
        gettext("Give every touchpoint of the stage once: the page may be out of date, reload it."),
    )
    ordered = list(touchpoints.all())
    if old is not None:
        _audit(
            audience=audience,
            action="move",
            obj=stage,
            actor_user=actor_user,
            actor_key=actor_key,
            changes={"touchpoint order": [", ".join(old), ", ".join(t.name for t in ordered)]},
            object_repr=f"Touchpoints of {stage.name}",
        )
    return ordered


# --- touchpoints ---------------------------------------------------------------------------


def _touchpoint_check(touchpoint: Touchpoint) -> None:
    """Slug unique per audience (derived from the name); stage and owner from this tenant."""
    errors: dict[str, str] = {}
    audience = touchpoint.audience
    if touchpoint.stage_id is not None and touchpoint.stage.audience_id != audience.pk:
        errors["stage"] = gettext("Choose a stage of this audience's journey.")
    if touchpoint.owner_id is not None and (
        touchpoint.owner.organisation_id != audience.organisation_id
    ):
        errors["owner"] = gettext("The owner must be a person in this organisation.")
    touchpoint.slug = (touchpoint.slug or "").strip() or slug_from_name(touchpoint.name)
    if not touchpoint.slug:
        errors["slug"] = gettext("Give the touchpoint a slug of letters, numbers and hyphens.")
    elif (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(audience=audience, slug=touchpoint.slug)
        .exclude(pk=touchpoint.pk)
        .exists()
    ):
        errors["slug"] = gettext(
            "Another touchpoint of this audience already uses the slug “%(slug)s”; "
            "change the name or give it another slug."
        ) % {"slug": touchpoint.slug}
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def touchpoint_create(
    *,
    stage: Stage,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> Touchpoint:
    """Add a touchpoint at the bottom of a stage (or of `data['stage']` when given)."""
    audience = stage.audience
    _lock_audience(audience)
    touchpoint = Touchpoint(organisation=audience.organisation, audience=audience, stage=stage)
    _assign(touchpoint, TOUCHPOINT_FIELDS, data)
    _touchpoint_check(touchpoint)
    touchpoint.position = (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(stage_id=touchpoint.stage_id)
        .count()
    )
    touchpoint.full_clean()
    touchpoint.save()
    _audit(
        audience=audience,
        action="create",
        obj=touchpoint,
        actor_user=actor_user,
        actor_key=actor_key,
        changes=model_changes({}, snapshot(touchpoint, TOUCHPOINT_FIELDS)),
    )
    return touchpoint


@transaction.atomic
def touchpoint_update(
    *,
    touchpoint: Touchpoint,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
) -> Touchpoint:
    """Change a touchpoint; moving it to another stage puts it at the bottom of that stage."""
    audience = touchpoint.audience
    _lock_audience(audience)
    touchpoints = Touchpoint.objects.for_org(audience.organisation_id)
    stored = touchpoints.get(pk=touchpoint.pk)
    before = snapshot(stored, TOUCHPOINT_FIELDS)
    _assign(touchpoint, TOUCHPOINT_FIELDS, data)
    _touchpoint_check(touchpoint)
    moved = touchpoint.stage_id != stored.stage_id
    if moved:
        touchpoint.position = touchpoints.filter(stage_id=touchpoint.stage_id).count()
    touchpoint.full_clean()
    touchpoint.save()
    if moved:
        _renumber(list(touchpoints.filter(stage_id=stored.stage_id)))
    changes = model_changes(before, snapshot(touchpoint, TOUCHPOINT_FIELDS))
    if changes:
        _audit(
            audience=audience,
            action="update",
            obj=touchpoint,
            actor_user=actor_user,
            actor_key=actor_key,
            changes=changes,
        )
    return touchpoint


@transaction.atomic
def touchpoint_delete(
    *, touchpoint: Touchpoint, actor_user: AbstractBaseUser | None, actor_key: ApiKey | None = None
) -> None:
    """Remove a touchpoint; metric definitions measured there keep existing without it.
    Refused (ValidationError on "touchpoint", nothing changed) while stored responses or
    cases carry it."""
    audience = touchpoint.audience
    _lock_audience(audience)
    stage_id = touchpoint.stage_id
    _audit(
        audience=audience,
        action="delete",
        obj=touchpoint,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={"name": [touchpoint.name, None], "stage": [str(touchpoint.stage), None]},
    )
    _delete_unless_carried(
        touchpoint,
        Touchpoint.objects.for_org(audience.organisation_id).filter(pk=touchpoint.pk),
        lambda carried: {"touchpoint": [touchpoint_refusal(c) for c in carried]},
    )
    _renumber(list(Touchpoint.objects.for_org(audience.organisation_id).filter(stage_id=stage_id)))


@transaction.atomic
def touchpoint_move(
    *,
    touchpoint: Touchpoint,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    offset: int,
) -> bool:
    """Move a touchpoint one card up (-1) or down (+1) within its stage."""
    audience = touchpoint.audience
    _lock_audience(audience)
    cards = list(
        Touchpoint.objects.for_org(audience.organisation_id).filter(stage_id=touchpoint.stage_id)
    )
    old = next(i for i, t in enumerate(cards) if t.pk == touchpoint.pk)
    new = _move(cards, touchpoint.pk, offset)
    if new is None:
        return False
    _audit(
        audience=audience,
        action="move",
        obj=touchpoint,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={"position": [old + 1, new + 1]},
    )
    return True


# --- personas ------------------------------------------------------------------------------


def _quotes_apply(
    *,
    persona: Persona,
    quotes: list[dict[str, Any]],
    audience: Audience,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
) -> None:
    """Add, change and delete quotes. Each item: optional `id`, fields, optional `delete`."""
    existing = {q.pk: q for q in persona.quotes.all()}
    for item in quotes:
        quote_id = item.get("id")
        if quote_id is not None and quote_id not in existing:
            raise ValidationError(
                {"quotes": gettext("That quote does not belong to this persona.")}
            )
        quote = existing.get(quote_id) if quote_id is not None else None
        if item.get("delete"):
            if quote is not None:
                _audit(
                    audience=audience,
                    action="delete",
                    obj=quote,
                    actor_user=actor_user,
                    actor_key=actor_key,
                    changes={"text": [quote.text, None]},
                )
                quote.delete()
            continue
        before = snapshot(quote, QUOTE_FIELDS) if quote is not None else {}
        quote = quote or PersonaQuote(persona=persona)
        _assign(quote, QUOTE_FIELDS, item)
        quote.full_clean()
        quote.save()
        changes = model_changes(before, snapshot(quote, QUOTE_FIELDS))
        if changes:
            _audit(
                audience=audience,
                action="update" if before else "create",
                obj=quote,
                actor_user=actor_user,
                actor_key=actor_key,
                changes=changes,
                object_repr=f"Quote for {persona.name}: {quote.text[:80]}",
            )


def _persona_links(audience: Audience, data: dict[str, Any]) -> dict[str, list[Any]]:
    """The stages and touchpoints a persona is linked to, when given: this audience's only."""
    links: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    refusals = {
        "stages": gettext("Choose only a stage of this audience's journey."),
        "touchpoints": gettext("Choose only a touchpoint of this audience's journey."),
    }
    for name, refusal in refusals.items():
        if name not in data or data[name] is None:
            continue
        chosen = list(data[name])
        if any(o.audience_id != audience.pk for o in chosen):
            errors[name] = refusal
        links[name] = chosen
    if errors:
        raise ValidationError(errors)
    return links


@transaction.atomic
def persona_save(
    *,
    audience: Audience,
    actor_user: AbstractBaseUser | None,
    actor_key: ApiKey | None = None,
    data: dict[str, Any],
    quotes: list[dict[str, Any]] | None = None,
    persona: Persona | None = None,
) -> Persona:
    """Create or update a persona and its quotes, all or nothing."""
    creating = persona is None
    if creating:
        persona = Persona(organisation=audience.organisation, audience=audience)
        before: dict[str, Any] = {}
    else:
        stored = Persona.objects.for_org(persona.organisation_id).get(pk=persona.pk)
        before = snapshot(stored, PERSONA_FIELDS)
    _assign(persona, PERSONA_FIELDS, data)
    persona.full_clean()
    links = _persona_links(audience, data)
    persona.save()
    changes = model_changes(before, snapshot(persona, PERSONA_FIELDS))
    for name, chosen in links.items():
        manager = getattr(persona, name)
        old = sorted(str(o) for o in manager.all()) if not creating else []
        manager.set(chosen)
        new = sorted(str(o) for o in chosen)
        if old != new:
            changes[name] = [", ".join(old) or None, ", ".join(new) or None]
    if changes:
        _audit(
            audience=audience,
            action="create" if creating else "update",
            obj=persona,
            actor_user=actor_user,
            actor_key=actor_key,
            changes=changes,
        )
    _quotes_apply(
        persona=persona,
        quotes=quotes or [],
        audience=audience,
        actor_user=actor_user,
        actor_key=actor_key,
    )
    return persona


@transaction.atomic
def persona_delete(
    *, persona: Persona, actor_user: AbstractBaseUser | None, actor_key: ApiKey | None = None
) -> None:
    """Remove a persona and its quotes (the audit entry keeps its name)."""
    _audit(
        audience=persona.audience,
        action="delete",
        obj=persona,
        actor_user=actor_user,
        actor_key=actor_key,
        changes={"name": [persona.name, None], "quotes": [persona.quotes.count(), None]},
    )
    persona.delete()
