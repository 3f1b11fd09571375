"""API key services: create (the raw key is returned once, only its hash is kept) and revoke."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from audiences.api_auth import api_key_generate, api_key_hash
from audiences.audit import audit_record
from audiences.models import ApiKey, Organisation


@dataclass(frozen=True)
class NewApiKey:
    api_key: ApiKey
    raw_key: str  # shown to the person once; never stored


@transaction.atomic
def api_key_create(
    *, organisation: Organisation, name: str, created_by: AbstractBaseUser | None = None
) -> NewApiKey:
    raw_key, prefix = api_key_generate()
    api_key = ApiKey(
        organisation=organisation,
        name=name.strip() or "API key",
        prefix=prefix,
        hashed_key=api_key_hash(raw_key),
        created_by=created_by,
    )
    api_key.full_clean()
    api_key.save()
    audit_record(
        organisation=organisation,
        action="created",
        obj=api_key,
        actor_user=created_by,
        changes={"name": api_key.name, "prefix": prefix},
    )
    return NewApiKey(api_key=api_key, raw_key=raw_key)


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, actor: AbstractBaseUser | None = None) -> ApiKey:
    """Revoke at once: the next request with the key answers 401 (the check reads the row)."""
    updated = (
        ApiKey.objects.for_org(api_key.organisation_id)
        .filter(pk=api_key.pk, revoked_at=None)
        .update(revoked_at=timezone.now())
    )
    api_key.refresh_from_db()
    if updated:
        audit_record(
            organisation=api_key.organisation,
            action="revoked",
            obj=api_key,
            actor_user=actor,
            changes={"revoked_at": str(api_key.revoked_at)},
        )
    return api_key
