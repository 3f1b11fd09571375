"""Writes for the registry: organisations, members, people, audiences and the top ten.

Every service validates with `full_clean()`, runs in one transaction and records an audit entry.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from audiences.models import (
    TOP_TEN,
    ApiKey,
    Audience,
    AuditEntry,
    Membership,
    Organisation,
    Person,
    Role,
)
from axreg.api.authentication import api_key_generate, api_key_hash
from axreg.names import slug_from_name

AUDIENCE_FIELDS = (
    "name",
    "slug",
    "kind",
    "kind_label",
    "stage",
    "description",
    "why_it_matters",
    "owner",
)
PERSON_FIELDS = ("name", "email", "title", "department", "user")
# Path segments under /app/audiences/ that an audience slug would shadow.
RESERVED_SLUGS = frozenset({"new", "top-ten"})

Actor = AbstractBaseUser | None


class RankingError(ValidationError):
    """The requested top ten cannot be stored; the message says what to change."""


# --- organisations and members -------------------------------------------------------------


@transaction.atomic
def organisation_create(*, slug: str, name: str, timezone: str = "UTC") -> Organisation:
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError(
            {
                "slug": gettext("An organisation with the slug '%(slug)s' already exists.")
                % {"slug": slug}
            }
        )
    organisation = Organisation(slug=slug, name=name, timezone=timezone)
    organisation.full_clean()
    organisation.save()
    audit_record(organisation=organisation, action="created", obj=organisation)
    return organisation


@dataclass(frozen=True)
class MemberAdded:
    membership: Membership
    user_created: bool
    generated_password: str | None


@transaction.atomic
def member_add(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    password: str | None = None,
    actor: Actor = None,
    actor_key: ApiKey | None = None,
) -> MemberAdded:
    """Give `email` a role in the organisation, creating the user (username = e-mail) if needed.

    A new user without a password gets a generated one, returned so the caller can hand it over;
    an existing user keeps their password unless one is given. An existing member's role changes.
    """
    if role not in Role.values:
        raise ValidationError(
            {
                "role": gettext("Unknown role '%(role)s'; use one of %(roles)s.")
                % {"role": role, "roles": ", ".join(Role.values)}
            }
        )
    email = email.strip()
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).order_by("id").first()
    created = user is None
    generated = None
    if created:
        user = user_model(username=email, email=email)
        user.full_clean(exclude=["password"])
        if password is None:
            generated = password = secrets.token_urlsafe(12)
    if password is not None:
        user.set_password(password)
    user.save()
    previous = (
        Membership.objects.for_org(organisation)
        .filter(user=user)
        .values_list("role", flat=True)
        .first()
    )
    membership, joined = Membership.objects.for_org(organisation).update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if joined or previous != role:
        audit_record(
            organisation=organisation,
            action="member_added" if joined else "role_changed",
            obj=membership,
            actor_user=actor,
            actor_key=actor_key,
            changes={"email": email, "role": [previous, role]},
        )
    return MemberAdded(membership=membership, user_created=created, generated_password=generated)


# --- people --------------------------------------------------------------------------------


def _check_person_user(person: Person) -> None:
    if (
        person.user_id
        and not Membership.objects.for_org(person.organisation_id)
        .filter(user_id=person.user_id)
        .exists()
    ):
        raise ValidationError(
            {"user": gettext("Link only a user who is a member of this organisation.")}
        )


@transaction.atomic
def person_create(
    *, organisation: Organisation, actor: Actor, actor_key: ApiKey | None = None, **fields: Any
) -> Person:
    person = Person(organisation=organisation, **fields)
    person.full_clean()
    _check_person_user(person)
    person.save()
    audit_record(
        organisation=organisation,
        action="created",
        obj=person,
        actor_user=actor,
        actor_key=actor_key,
        changes=model_changes({}, snapshot(person, PERSON_FIELDS)),
    )
    return person


@transaction.atomic
def person_update(
    *, person: Person, actor: Actor, actor_key: ApiKey | None = None, **fields: Any
) -> Person:
    # Compare with the stored row: a bound ModelForm has already copied its input onto `person`.
    stored = Person.objects.for_org(person.organisation_id).get(pk=person.pk)
    before = snapshot(stored, PERSON_FIELDS)
    for name, value in fields.items():
        setattr(person, name, value)
    person.full_clean()
    _check_person_user(person)
    person.save()
    changes = model_changes(before, snapshot(person, PERSON_FIELDS))
    if changes:
        audit_record(
            organisation=person.organisation,
            action="updated",
            obj=person,
            actor_user=actor,
            actor_key=actor_key,
            changes=changes,
        )
    return person


# --- audiences -----------------------------------------------------------------------------


def slug_taken_message(slug: str) -> str:
    return gettext(
        "The slug '%(slug)s' is already used by another audience in this organisation; "
        "choose another."
    ) % {"slug": slug}


def audience_slug_from_name(name: str) -> str:
    """The slug an audience gets when none is given."""
    return slug_from_name(name)


def audience_slug_errors(
    *, organisation: Organisation, slug: str, audience: Audience | None = None
) -> list[ValidationError]:
    """The slug rules (format aside, which the model field checks): not empty, not a page's
    path segment, not another audience's in the organisation. The browser form shows these
    beside its other errors; `audience_save` enforces them.

    Codes (`blank`, `reserved`, `taken`) let the form say them in the words of its fields.
    """
    if not slug:
        return [ValidationError(gettext("Give a slug with letters or digits."), code="blank")]
    if slug in RESERVED_SLUGS:
        return [
            ValidationError(
                gettext("'%(slug)s' is reserved; choose another slug.") % {"slug": slug},
                code="reserved",
            )
        ]
    taken = Audience.objects.for_org(organisation).filter(slug=slug)
    if audience is not None and audience.pk is not None:
        taken = taken.exclude(pk=audience.pk)
    if taken.exists():
        return [ValidationError(slug_taken_message(slug), code="taken")]
    return []


def _audience_validate(audience: Audience) -> None:
    """full_clean, with the slug's own checks reported on `slug` beside every other error.

    The unique constraint would report a taken slug as a form-wide error (the API's `body`),
    so the slug is checked here and the constraints only once everything else is valid.
    """
    errors: dict[str, Any] = {}
    try:
        audience.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if "slug" not in errors:  # a blank or malformed slug has its field's own error already
        slug_errors = audience_slug_errors(
            organisation=audience.organisation, slug=audience.slug, audience=audience
        )
        if slug_errors:
            errors["slug"] = slug_errors
    if errors:
        raise ValidationError(errors)
    audience.validate_constraints()


def _audience_write(audience: Audience) -> None:
    """Validate and save; a slug taken by a concurrent write is a ValidationError on `slug`."""
    _audience_validate(audience)
    try:
        # A savepoint: another request may commit the same slug between the check and the
        # INSERT, and the unique constraint then refuses it here.
        with transaction.atomic():
            audience.save()
    except IntegrityError:
        taken = Audience.objects.for_org(audience.organisation_id).filter(slug=audience.slug)
        if taken.exclude(pk=audience.pk).exists():
            raise ValidationError(
                {"slug": ValidationError(slug_taken_message(audience.slug), code="taken")}
            ) from None
        raise


# What `audience_save` leaves alone unless the caller names it.
KEEP = object()


@transaction.atomic
def audience_save(
    *,
    organisation: Organisation,
    audience: Audience | None = None,
    actor: Actor,
    actor_key: ApiKey | None = None,
    rank: Any = KEEP,
    archived: bool | None = None,
    **fields: Any,
) -> Audience:
    """Create (no `audience`) or change an audience, for the browser and the API alike.

    `fields` are the descriptive fields and the owner; a blank slug on create comes from the
    name. `archived` True/False archives or restores; `rank` (None: out of the top ten) places
    it. It takes the organisation lock first, as every top-ten change does, so the slug check,
    the before-image the audit compares with, the archive and the rank change all see one
    state that no other lead's write changes under them. Validates with full_clean; audits
    each change; a refused rank is a ValidationError on `rank`.
    """
    _lock_organisation(organisation)
    if audience is None:
        audience = _audience_create(
            organisation=organisation, actor=actor, actor_key=actor_key, fields=fields
        )
    elif fields:
        audience = _audience_update(
            audience=audience, actor=actor, actor_key=actor_key, fields=fields
        )
    if archived is True:
        audience = audience_archive(audience=audience, actor=actor, actor_key=actor_key)
    elif archived is False:
        audience = audience_restore(audience=audience, actor=actor, actor_key=actor_key)
    if rank is not KEEP:
        try:
            audience_rank_set(audience=audience, rank=rank, actor=actor, actor_key=actor_key)
        except RankingError as exc:
            raise ValidationError({"rank": exc.messages}) from exc
        audience.refresh_from_db()
    return audience


def _audience_create(
    *, organisation: Organisation, actor: Actor, actor_key: ApiKey | None, fields: dict[str, Any]
) -> Audience:
    """An unranked audience; a blank slug is derived from the name."""
    if not fields.get("slug"):
        fields["slug"] = audience_slug_from_name(fields.get("name", ""))
    audience = Audience(organisation=organisation, **fields)
    _audience_write(audience)
    audit_record(
        organisation=organisation,
        action="created",
        obj=audience,
        actor_user=actor,
        actor_key=actor_key,
        changes=model_changes({}, snapshot(audience, AUDIENCE_FIELDS)),
    )
    return audience


def _audience_update(
    *, audience: Audience, actor: Actor, actor_key: ApiKey | None, fields: dict[str, Any]
) -> Audience:
    """Change the descriptive fields and owner; rank and archiving have their own services."""
    fields.pop("organisation", None)
    # Compare with the stored row, locked: a bound ModelForm has already copied its input onto
    # `audience`. Only the audience row (`of`; its owner, if any, is a nullable outer join),
    # and NO KEY UPDATE, which lets rows that point at it (results, stages) keep committing.
    stored = (
        Audience.objects.for_org(audience.organisation_id)
        .select_related("owner")
        .select_for_update(no_key=True, of=("self",))
        .get(pk=audience.pk)
    )
    before = snapshot(stored, AUDIENCE_FIELDS)
    for name, value in fields.items():
        setattr(audience, name, value)
    _audience_write(audience)
    changes = model_changes(before, snapshot(audience, AUDIENCE_FIELDS))
    if changes:
        audit_record(
            organisation=audience.organisation,
            action="updated",
            obj=audience,
            actor_user=actor,
            actor_key=actor_key,
            changes=changes,
        )
    return audience


def _lock_organisation(organisation: Organisation) -> None:
    # Every change to the top ten and every audience save takes this row lock first, so two
    # leads reordering at once run one after the other instead of interleaving their clears
    # and writes. NO KEY UPDATE: it excludes the other holders of this lock but not the key
    # share that a foreign-key check takes at commit, so a transaction that inserted a row of
    # this organisation (an audience with the same slug, a result) can still commit.
    Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).first()


def _ranked(organisation: Organisation) -> list[Audience]:
    return list(Audience.objects.for_org(organisation).filter(rank__isnull=False).order_by("rank"))


def _ranks_write(organisation: Organisation, audiences: list[Audience]) -> None:
    # Clear first, then write 1..n: the partial unique constraint on (organisation, rank)
    # would refuse swapping two ranks in place.
    Audience.objects.for_org(organisation).filter(rank__isnull=False).update(rank=None)
    for position, audience in enumerate(audiences, start=1):
        Audience.objects.for_org(organisation).filter(pk=audience.pk).update(rank=position)
        audience.rank = position


@transaction.atomic
def audience_archive(
    *, audience: Audience, actor: Actor, actor_key: ApiKey | None = None
) -> Audience:
    """Archive (never delete): the audience leaves the top ten and the ranks below move up."""
    _lock_organisation(audience.organisation)
    audience.refresh_from_db()
    if audience.archived:
        return audience
    old_rank = audience.rank
    remaining = [a for a in _ranked(audience.organisation) if a.pk != audience.pk]
    Audience.objects.for_org(audience.organisation_id).filter(pk=audience.pk).update(
        archived=True, rank=None
    )
    _ranks_write(audience.organisation, remaining)
    audience.refresh_from_db()
    audit_record(
        organisation=audience.organisation,
        action="archived",
        obj=audience,
        actor_user=actor,
        actor_key=actor_key,
        changes={"archived": [False, True], "rank": [old_rank, None]},
    )
    return audience


def audience_archived_message(audience: Audience) -> str:
    return gettext("Audience '%(slug)s' is archived: restore it first.") % {"slug": audience.slug}


def audience_check_open(audience: Audience) -> None:
    """Refuse new data for an archived audience (ValidationError on field `audience`).

    An archived audience stays readable, but takes no results and no new or changed metric
    definitions until a lead restores it, in the browser and through the API alike.
    """
    if audience.archived:
        raise ValidationError({"audience": audience_archived_message(audience)})


@transaction.atomic
def audience_restore(
    *, audience: Audience, actor: Actor, actor_key: ApiKey | None = None
) -> Audience:
    """Bring an archived audience back, unranked: a lead decides where it belongs."""
    if not audience.archived:
        return audience
    audience.archived = False
    audience.save(update_fields=["archived", "updated_at"])
    audit_record(
        organisation=audience.organisation,
        action="restored",
        obj=audience,
        actor_user=actor,
        actor_key=actor_key,
        changes={"archived": [True, False]},
    )
    return audience


# --- the top ten ---------------------------------------------------------------------------


def _ranking_validate(
    organisation: Organisation, ordered_slugs: list[str], current: list[Audience]
) -> list[Audience]:
    if len(set(ordered_slugs)) != len(ordered_slugs):
        raise RankingError(gettext("Each audience can hold only one place in the top ten."))
    found = {
        a.slug: a for a in Audience.objects.for_org(organisation).filter(slug__in=ordered_slugs)
    }
    missing = [slug for slug in ordered_slugs if slug not in found]
    if missing:
        raise RankingError(
            gettext("No audience '%(slug)s' in this organisation.") % {"slug": missing[0]}
        )
    archived = [found[slug] for slug in ordered_slugs if found[slug].archived]
    if archived:
        raise RankingError(
            gettext("%(name)s is archived: restore it before ranking it.")
            % {"name": archived[0].name}
        )
    if len(ordered_slugs) > TOP_TEN:
        current_slugs = {a.slug for a in current}
        added = [found[slug] for slug in ordered_slugs if slug not in current_slugs]
        if len(added) == 1:
            raise RankingError(
                gettext("The top ten is full: remove an audience before adding %(name)s.")
                % {"name": added[0].name}
            )
        raise RankingError(
            gettext("The top ten is full: remove an audience before adding another.")
        )
    return [found[slug] for slug in ordered_slugs]


@transaction.atomic
def audience_ranking_set(
    *,
    organisation: Organisation,
    ordered_slugs: list[str],
    actor: Actor,
    actor_key: ApiKey | None = None,
) -> list[Audience]:
    """Make `ordered_slugs` the top ten, in that order (ranks 1..n); all others become unranked.

    Refuses (RankingError) more than ten, duplicates, unknown or archived audiences.
    Records one audit entry with the old and the new order.
    """
    _lock_organisation(organisation)
    current = _ranked(organisation)
    audiences = _ranking_validate(organisation, list(ordered_slugs), current)
    old_order = [a.slug for a in current]
    new_order = [a.slug for a in audiences]
    if old_order == new_order:
        return audiences
    _ranks_write(organisation, audiences)
    audit_record(
        organisation=organisation,
        action="ranked",
        object_type="ranking",
        object_repr="Top ten",
        actor_user=actor,
        actor_key=actor_key,
        changes={"order": [old_order, new_order]},
    )
    return audiences


@transaction.atomic
def audience_rank_set(
    *, audience: Audience, rank: int | None, actor: Actor, actor_key: ApiKey | None = None
) -> list[Audience]:
    """Put one audience at `rank` in the top ten (None: out of it); the others keep their order.

    Ranks stay 1..n: a rank past the end puts it last. The current order is read under the
    organisation lock, so two changes at once both land instead of the second one writing
    its order over the first.
    """
    _lock_organisation(audience.organisation)
    order = [a.slug for a in _ranked(audience.organisation) if a.pk != audience.pk]
    if rank is not None:
        order.insert(min(rank - 1, len(order)), audience.slug)
    return audience_ranking_set(
        organisation=audience.organisation, ordered_slugs=order, actor=actor, actor_key=actor_key
    )


RANK_MOVES = ("up", "down", "remove", "add")


@transaction.atomic
def audience_rank_move(
    *,
    organisation: Organisation,
    slug: str,
    move: str,
    actor: Actor,
    actor_key: ApiKey | None = None,
) -> list[Audience]:
    """Move one audience up, down, out of or into (at the bottom of) the top ten.

    The current order is read under the same organisation lock as `audience_ranking_set`,
    so a move never works from an order another lead has just replaced.
    """
    if move not in RANK_MOVES:
        raise RankingError(gettext("Unknown move '%(move)s'.") % {"move": move})
    _lock_organisation(organisation)
    order = [a.slug for a in _ranked(organisation)]
    if move == "add":
        if slug not in order:
            order.append(slug)
    elif slug not in order:
        raise RankingError(gettext("That audience is not in the top ten."))
    elif move == "remove":
        order.remove(slug)
    else:
        index = order.index(slug)
        target = index - 1 if move == "up" else index + 1
        if 0 <= target < len(order):
            order[index], order[target] = order[target], order[index]
    return audience_ranking_set(
        organisation=organisation, ordered_slugs=order, actor=actor, actor_key=actor_key
    )


# --- the audit trail: every write service records who changed what, in its transaction ---


def _jsonable(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        # Kept as a mapping, so the audit page can label its keys in the reader's language.
        return {str(k): _jsonable(v) for k, v in value.items()}
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


# --- API keys: the raw key is returned once, only its hash is kept ---


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
