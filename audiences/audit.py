"""The audit trail: every write service records who changed what, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
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
    return {"object_types": [(t, t) for t in types if t], "actors": actors}
