"""Reads for the registry pages: each returns a queryset or a small value, never writes.

The pages that show liability and alerts read them through `measurements.registry_selectors`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Count, F, Q, QuerySet
from django.db.models.expressions import OrderBy
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience, AuditEntry, Membership, Organisation, Person
from axreg.text import capfirst


def ranked_first(prefix: str = "") -> tuple[OrderBy, str]:
    """order_by() arguments: the top ten in rank order, then the unranked by name.

    Spelled out because databases disagree on where NULL goes (first on SQLite, last on
    PostgreSQL); `prefix` is the path to the audience, e.g. "audience__".
    """
    return F(f"{prefix}rank").asc(nulls_last=True), f"{prefix}name"


def ranked_audiences(*, organisation: Organisation) -> QuerySet[Audience]:
    """The top ten in rank order, with their owners."""
    return (
        Audience.objects.for_org(organisation)
        .filter(rank__isnull=False)
        .select_related("owner")
        .order_by(*ranked_first())
    )


def unranked_audiences(*, organisation: Organisation) -> QuerySet[Audience]:
    return (
        Audience.objects.for_org(organisation)
        .filter(rank__isnull=True, archived=False)
        .select_related("owner")
        .order_by("name")
    )


def audience_history(*, audience: Audience, limit: int = 15) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("actor_user", "actor_key")[:limit]
    )


def people_list(*, organisation: Organisation) -> QuerySet[Person]:
    """People with the number of (non-archived) audiences they own and their linked user."""
    return (
        Person.objects.for_org(organisation)
        .select_related("user")
        .annotate(audiences_owned=Count("audiences", filter=Q(audiences__archived=False)))
        .order_by("name")
    )


def member_users(*, organisation: Organisation) -> QuerySet:
    """Users who are members of the organisation (the only ones a person may be linked to)."""
    user_ids = Membership.objects.for_org(organisation).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids).order_by("email")


# --- reading the trail (the leads' audit page) ---------------------------------------------

AUDIT_PAGE_SIZE = 50


def audit_entries(
    *, organisation: Organisation, object_type: str = "", actor: str = ""
) -> QuerySet[AuditEntry]:
    """The organisation's audit trail, newest first, optionally narrowed to one object type
    and to one actor (`user:<id>`, `key:<id>` or `system`); an unknown filter matches nothing."""
    entries = AuditEntry.objects.for_org(organisation).select_related(
        "actor_user", "actor_key", "audience"
    )
    if object_type:
        entries = entries.filter(object_type=object_type)
    if actor == "system":
        entries = entries.filter(actor_user=None, actor_key=None)
    elif actor:
        kind, _, pk = actor.partition(":")
        field = {"user": "actor_user_id", "key": "actor_key_id"}.get(kind)
        entries = entries.filter(**{field: int(pk)}) if field and pk.isdigit() else entries.none()
    return entries


def audit_filter_choices(*, organisation: Organisation) -> dict[str, list[tuple[str, str]]]:
    """Object types and actors that occur in the organisation's trail, for the filter form."""
    entries = AuditEntry.objects.for_org(organisation)
    types = sorted(set(entries.values_list("object_type", flat=True)))
    users = (
        entries.filter(actor_user__isnull=False)
        .values_list("actor_user_id", "actor_user__email")
        .distinct()
        .order_by("actor_user__email")
    )
    keys = (
        entries.filter(actor_key__isnull=False)
        .values_list("actor_key_id", "actor_key__name", "actor_key__prefix")
        .distinct()
        .order_by("actor_key__name")
    )
    actors = [(f"user:{pk}", email) for pk, email in users]
    actors += [
        (f"key:{pk}", gettext("API key %(name)s (%(prefix)s…)") % {"name": name, "prefix": prefix})
        for pk, name, prefix in keys
    ]
    actors.append(("system", gettext("system (commands, demo data)")))
    return {"object_types": [(t, object_type_label(t)) for t in types if t], "actors": actors}


# --- showing an entry in words ---------------------------------------------------------------

# Services record the verb in either tense ("create" and "created"); the page shows one word.
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "Created"),
    "created": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Updated"),
    "updated": pgettext_lazy("audit action", "Updated"),
    "delete": pgettext_lazy("audit action", "Deleted"),
    "move": pgettext_lazy("audit action", "Moved"),
    "archived": pgettext_lazy("audit action", "Archived"),
    "restored": pgettext_lazy("audit action", "Restored"),
    "ranked": pgettext_lazy("audit action", "Re-ranked"),
    "member_added": pgettext_lazy("audit action", "Member added"),
    "role_changed": pgettext_lazy("audit action", "Role changed"),
    "revoked": pgettext_lazy("audit action", "Revoked"),
    "ingested": pgettext_lazy("audit action", "Imported"),
    "seeded": pgettext_lazy("audit action", "Demo data loaded"),
    "activate": pgettext_lazy("audit action", "Reactivated"),
    "deactivate": pgettext_lazy("audit action", "Deactivated"),
    "deleted": pgettext_lazy("audit action", "Deleted"),
    "acknowledged": pgettext_lazy("audit action", "Acknowledged"),
    "resolved": pgettext_lazy("audit action", "Resolved"),
    "closed": pgettext_lazy("audit action", "Closed"),
    "reopened": pgettext_lazy("audit action", "Reopened"),
    "note_added": pgettext_lazy("audit action", "Note added"),
    "reviewed": pgettext_lazy("audit action", "Reviewed"),
    "secret_rotated": pgettext_lazy("audit action", "Secret rotated"),
    "redelivered": pgettext_lazy("audit action", "Redelivered"),
}
CREATE_ACTIONS = {"create", "created", "member_added"}
DELETE_ACTIONS = {"delete"}
# Model names whose verbose name reads wrong ("Follow up" is the verb).
OBJECT_TYPE_LABELS = {
    "apikey": _("API key"),
    "followup": _("Follow-up"),
    "audience": _("Audience"),
    "person": _("Person"),
    "membership": _("Membership"),
    "organisation": _("Organisation"),
    "ranking": _("Ranking"),
    "alert": _("Alert"),
    "measurementplan": _("Measurement plan"),
    "metricdefinition": _("Metric definition"),
    "opportunity": _("Opportunity"),
    "stage": pgettext_lazy("journey stage", "Stage"),
    "touchpoint": _("Touchpoint"),
    "persona": _("Persona"),
    "quote": _("Quote"),
    "webhookendpoint": _("Webhook"),
    # Bulk writes record a type of their own (measurements.ingest.service, demo_results).
    "response batch": _("Response batch"),
    "case batch": _("Support case batch"),
    "revenue event batch": _("Revenue event batch"),
    "member batch": _("Member batch"),
    "demo results": _("Demo results"),
}
# Bulk entries keep their counts in `changes`; their stored description is English text written
# at the time, so the page shows the counts (translated labels) instead.
BULK_ACTIONS = {"ingested", "seeded"}
# The registry's own fields as the audit page names them (other models' fields show their
# verbose name).
FIELD_LABELS = {
    "name": _("Name"),
    "slug": _("Slug"),
    "kind": pgettext_lazy("audience kind", "Kind"),
    "kind_label": _("Kind label"),
    "stage": pgettext_lazy("lifecycle stage", "Stage"),
    "description": _("Description"),
    "why_it_matters": _("Why it matters"),
    "owner": pgettext_lazy("experience owner", "Owner"),
    "rank": _("Rank"),
    "archived": pgettext_lazy("audience status", "Archived"),
    "email": _("Email"),
    "title": pgettext_lazy("job title", "Title"),
    "department": _("Department"),
    "user": pgettext_lazy("user account", "User"),
    "role": _("Role"),
    "prefix": pgettext_lazy("API key", "Prefix"),
    "revoked_at": _("Revoked at"),
    "order": _("Order"),
    "responses": _("Responses"),
    "cases": _("Support cases"),
    "members": _("Members"),
    "revenue_events": _("Revenue events"),
    "removed": pgettext_lazy("audit bulk", "Removed"),
    "created": pgettext_lazy("audit bulk", "Created"),
    "updated": pgettext_lazy("audit bulk", "Updated"),
    "duplicates": pgettext_lazy("audit bulk", "Duplicates"),
    "batch_id": _("Batch"),
    "items": _("Items"),
    "audiences": _("Audiences"),
    # Fields of the other apps' audited models that have no translated verbose name (adding
    # one to each model would be a migration per app for a label).
    "process": _("Process"),
    "methods": _("Methods"),
    "cadence": _("Cadence"),
    "review_every_months": _("Review every (months)"),
    "data_sources": _("Data sources"),
    "run_by": _("Run by"),
    "last_reviewed_on": _("Last reviewed on"),
    "scale_min": _("Scale minimum"),
    "scale_max": _("Scale maximum"),
    "touchpoint": _("Touchpoint"),
    "target": _("Target"),
    "alert_threshold": _("Alert threshold"),
    "alert_min_n": _("Fewest answers for an alert"),
    "followup_threshold": _("Follow-up threshold"),
    "margin_percent": _("Margin (%)"),
    "currency": _("Currency"),
    "min_group_size": _("Smallest group shown"),
    "active": _("Active"),
    "phase": _("Phase"),
    "channel": _("Channel"),
    "expectations": _("Expects"),
    "emotions": _("Feels"),
    "motivations": _("Wants"),
    "obstacles": _("Obstacles"),
    "responsibilities": _("Responsibilities"),
    "goals": _("Goals"),
    "pain_points": _("Pain points"),
    "triggers": _("Triggers"),
    "text": _("Text"),
    "source": _("Source"),
    "source_detail": _("Source detail"),
    "note": _("Note"),
    "status": _("Status"),
    "assignee": _("Assigned to"),
    "followup_target_days": _("Follow-up target (days)"),
    "touchpoints": _("Touchpoints"),
}
AUDITED_APPS = ("audiences", "journeys", "measurements")
EMPTY = "—"


@dataclass(frozen=True)
class ChangeRow:
    """One line of an entry's changes; `before` is None where there is no old value to show."""

    label: str
    before: str | None
    after: str


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    action: str
    object_type: str
    changes: list[ChangeRow]
    object_repr: str


def _model_for(object_type: str) -> type[models.Model] | None:
    for model in apps.get_models():
        if model._meta.app_label in AUDITED_APPS and model._meta.model_name == object_type:
            return model
    return None


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action) or capfirst(action.replace("_", " ")))


def object_type_label(object_type: str) -> str:
    """ "measurementplan" → "Measurement plan"; bulk types ("response batch") as they are."""
    if object_type in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[object_type])
    model = _model_for(object_type)
    return capfirst(str(model._meta.verbose_name) if model else object_type)


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    """The model's own field of that name; None for a reverse relation (a removed stage records
    its `touchpoints`), which has no verbose name, or for a name that is no field at all."""
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def _text(value: Any, field: models.Field | None = None) -> str:
    """A stored change value as words: Yes/No, choice labels, dates, lists joined."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, list):
        return (
            ", ".join(_text(v, field) for v in value) if value else pgettext("empty list", "none")
        )
    if isinstance(value, dict):
        return "; ".join(
            f"{FIELD_LABELS.get(k, k.replace('_', ' '))}: {_text(v)}" for k, v in value.items()
        )
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str):
        return _date_text(value)
    return str(value)


def _date_text(value: str) -> str:
    """ISO dates and times (as `_jsonable` stores them) in the page's short date format
    ("2 Sep 2024" in English)."""
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return date_format(day, "SHORT_DATE_FORMAT")
        if len(value) >= 16 and value[4] == "-" and value[10] in " T":
            at = datetime.datetime.fromisoformat(value)
            return date_format(at, "SHORT_DATETIME_FORMAT")
    except ValueError:
        pass
    return value


def change_rows(*, action: str, object_type: str, changes: Any) -> list[ChangeRow]:
    """An entry's `changes` as (label, before, after) rows, whatever shape it was stored in:
    {field: [old, new]} from `model_changes`, or plain {name: value} facts (counts, names)."""
    if not isinstance(changes, dict):
        return [ChangeRow(gettext("Details"), None, _text(changes))] if changes else []
    model = _model_for(object_type)
    rows = []
    for name, value in changes.items():
        field = _field(model, name)
        if name in FIELD_LABELS:
            label = str(FIELD_LABELS[name])
        else:
            label = capfirst(
                str(field.verbose_name) if field is not None else name.replace("_", " ")
            )
        if isinstance(value, list) and len(value) == 2 and action not in ("ingested", "seeded"):
            old, new = value
            if action in CREATE_ACTIONS and old is None:
                rows.append(ChangeRow(label, None, _text(new, field)))
            elif action in DELETE_ACTIONS and new is None:
                rows.append(ChangeRow(label, None, _text(old, field)))
            else:
                rows.append(ChangeRow(label, _text(old, field), _text(new, field)))
        else:
            rows.append(ChangeRow(label, None, _text(value, field)))
    return rows


def _ranking_names(entries: list[AuditEntry]) -> dict[tuple[int, str], str]:
    """A ranking entry stores the order as slugs; the page shows the audiences' names (one
    query per organisation on the page; a slug no longer in use stays as it is)."""
    organisations = {e.organisation_id for e in entries if e.object_type == "ranking"}
    names = {}
    for organisation_id in organisations:  # one: the audit page is one organisation's
        rows = Audience.objects.for_org(organisation_id).values_list("slug", "name")
        names.update({(organisation_id, slug): name for slug, name in rows})
    return names


def _named_order(entry: AuditEntry, names: dict[tuple[int, str], str]) -> Any:
    changes = entry.changes
    if entry.object_type != "ranking" or not isinstance(changes, dict) or "order" not in changes:
        return changes

    def named(value: Any) -> Any:
        if isinstance(value, list):
            return [names.get((entry.organisation_id, v), v) for v in value]
        return value

    order = changes["order"]
    if isinstance(order, list) and len(order) == 2 and all(isinstance(v, list) for v in order):
        return {**changes, "order": [named(order[0]), named(order[1])]}
    return {**changes, "order": named(order)}


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """What the audit page shows for each entry, computed here rather than in the template."""
    entries = list(entries)
    names = _ranking_names(entries)
    return [
        AuditRow(
            entry=entry,
            action=action_label(entry.action),
            object_type=object_type_label(entry.object_type),
            changes=change_rows(
                action=entry.action,
                object_type=entry.object_type,
                changes=_named_order(entry, names),
            ),
            object_repr="" if entry.action in BULK_ACTIONS else entry.object_repr,
        )
        for entry in entries
    ]
