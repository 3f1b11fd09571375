"""The audit trail: every write service records who changed what, in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet

from audiences.models import ApiKey, Audience, AuditEntry, Organisation


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)


def snapshot(obj: models.Model, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields' values, to compare before and after a write with `model_changes`."""
    return {name: getattr(obj, name) for name in fields}


def model_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value differs."""
    return {
        key: [_jsonable(before.get(key)), _jsonable(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


def audit_record(
    *,
    organisation: Organisation,
    action: str,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_repr: str | None = None,
    audience: Audience | None = None,
    actor_user: AbstractBaseUser | None = None,
    actor_key: ApiKey | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry. Pass either `obj` or `object_type`/`object_repr` (bulk writes)."""
    if actor_user is not None and not getattr(actor_user, "is_authenticated", False):
        actor_user = None
    if actor_user is not None and actor_user.pk is None:
        actor_user = None
    return AuditEntry.objects.create(
        organisation=organisation,
        audience=audience if audience is not None else (obj if isinstance(obj, Audience) else None),
        actor_user=actor_user,
        actor_key=actor_key,
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        changes={k: _jsonable(v) for k, v in (changes or {}).items()},
    )


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
    actors += [(f"key:{pk}", f"API key {name} ({prefix}…)") for pk, name, prefix in keys]
    actors.append(("system", "system (commands, demo data)"))
    return {"object_types": [(t, object_type_label(t)) for t in types if t], "actors": actors}


# --- showing an entry in words ---------------------------------------------------------------

# Services record the verb in either tense ("create" and "created"); the page shows one word.
ACTION_LABELS = {
    "create": "Created",
    "created": "Created",
    "update": "Updated",
    "updated": "Updated",
    "delete": "Deleted",
    "move": "Moved",
    "archived": "Archived",
    "restored": "Restored",
    "ranked": "Re-ranked",
    "member_added": "Member added",
    "role_changed": "Role changed",
    "revoked": "Revoked",
    "ingested": "Imported",
    "seeded": "Demo data loaded",
    "activate": "Reactivated",
    "deactivate": "Deactivated",
}
CREATE_ACTIONS = {"create", "created", "member_added"}
DELETE_ACTIONS = {"delete"}
OBJECT_TYPE_LABELS = {"apikey": "API key"}
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


def _model_for(object_type: str) -> type[models.Model] | None:
    for model in apps.get_models():
        if model._meta.app_label in AUDITED_APPS and model._meta.model_name == object_type:
            return model
    return None


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or _capitalise(action.replace("_", " "))


def object_type_label(object_type: str) -> str:
    """ "measurementplan" → "Measurement plan"; bulk types ("response batch") as they are."""
    if object_type in OBJECT_TYPE_LABELS:
        return OBJECT_TYPE_LABELS[object_type]
    model = _model_for(object_type)
    return _capitalise(str(model._meta.verbose_name) if model else object_type)


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
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_text(v, field) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str):
        return _date_text(value)
    return str(value)


def _date_text(value: str) -> str:
    """ISO dates and times (as `_jsonable` stores them) in the page's "2 Sep 2024" style."""
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return f"{day.day} {day:%b %Y}"
        if len(value) >= 16 and value[4] == "-" and value[10] in " T":
            at = datetime.datetime.fromisoformat(value)
            return f"{at.day} {at:%b %Y %H:%M}"
    except ValueError:
        pass
    return value


def change_rows(*, action: str, object_type: str, changes: Any) -> list[ChangeRow]:
    """An entry's `changes` as (label, before, after) rows, whatever shape it was stored in:
    {field: [old, new]} from `model_changes`, or plain {name: value} facts (counts, names)."""
    if not isinstance(changes, dict):
        return [ChangeRow("Details", None, _text(changes))] if changes else []
    model = _model_for(object_type)
    rows = []
    for name, value in changes.items():
        field = _field(model, name)
        label = _capitalise(
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


def audit_rows(entries: Iterable[AuditEntry]) -> list[AuditRow]:
    """What the audit page shows for each entry, computed here rather than in the template."""
    return [
        AuditRow(
            entry=entry,
            action=action_label(entry.action),
            object_type=object_type_label(entry.object_type),
            changes=change_rows(
                action=entry.action, object_type=entry.object_type, changes=entry.changes
            ),
        )
        for entry in entries
    ]
