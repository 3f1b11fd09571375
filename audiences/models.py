from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audiences.timezones import validate_timezone
from axreg.names import slug_from_name

TOP_TEN = 10


class UnscopedQueryError(RuntimeError):
    """A query on an organisation-owned model reached the database without an organisation."""


class OrgQuerySet(models.QuerySet):
    """The one place a query is narrowed to an organisation, and it fails closed.

    A queryset that has not been through `for_org()` raises `UnscopedQueryError` when it would
    read or change rows, instead of quietly returning every organisation's. Creating rows is
    allowed: a new row names its organisation. Compiling it into another query (`Exists(qs)`,
    `filter(x__in=qs)`) is allowed too: the outer query is the one that runs, and is guarded.
    Code that must see every organisation says so with the plain manager `Model.all_orgs`.

    It overrides five private QuerySet methods on purpose: a version built on public methods
    only was tried (issue #10) and cannot fail closed. `_clone` is the only hook every copy
    passes through; Django copies a queryset internally inside latest(), earliest(),
    in_bulk(), delete() and get() on a union, and without it those copies lose the scope and
    the scoped call breaks. `_raw_delete` and `_update` run SQL without calling any public
    method, so no public override can guard them. `_fetch_all` is the one door of every cached
    read (iteration, len, bool, indexing, pickling, get, first, prefetching), and
    `_combinator_query` that of every set operation, so a method added to Django that uses
    them is guarded already. tests/isolation/test_queryset_surface.py fails if Django adds or
    renames a method, or drops one of these five.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._org_scoped = False

    def for_org(self, organisation: Organisation | int) -> OrgQuerySet:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        if org_id is None:
            raise ValueError("for_org() needs a saved organisation")
        return self._scoped(self.filter(organisation_id=org_id))

    def none(self) -> OrgQuerySet:
        # An empty queryset reads nothing, so it cannot leak another organisation's rows.
        return self._scoped(super().none())

    # --- keeping the flag through Django's copies and combinations ---------------------------

    @staticmethod
    def _scoped(queryset: OrgQuerySet) -> OrgQuerySet:
        queryset._org_scoped = True
        return queryset

    def _clone(self) -> OrgQuerySet:
        clone = super()._clone()
        clone._org_scoped = self._org_scoped
        return clone

    def _combined(
        self, other: models.QuerySet, combined: models.QuerySet, scoped: bool
    ) -> models.QuerySet:
        if combined is self or combined is other:
            return combined  # the other side was empty: this side keeps its own scope
        if not isinstance(combined, OrgQuerySet):
            # `|` on a sliced queryset goes through the plain base manager; keep the guard.
            combined = self.__class__(
                model=combined.model, query=combined.query, using=combined._db
            )
        combined._org_scoped = scoped
        return combined

    def __and__(self, other: models.QuerySet) -> models.QuerySet:
        # Both sides' conditions apply, so one organisation filter is enough.
        scoped = self._org_scoped or _is_scoped(other)
        return self._combined(other, super().__and__(other), scoped)

    def __or__(self, other: models.QuerySet) -> models.QuerySet:
        # Either side's rows come back, so both must be narrowed to an organisation.
        scoped = self._org_scoped and _is_scoped(other)
        return self._combined(other, super().__or__(other), scoped)

    def __xor__(self, other: models.QuerySet) -> models.QuerySet:
        scoped = self._org_scoped and _is_scoped(other)
        return self._combined(other, super().__xor__(other), scoped)

    def _combinator_query(self, combinator: str, *other_qs: models.QuerySet, **kwargs: Any):
        # union(), intersection(), difference(): scoped only if every part is.
        clone = super()._combinator_query(combinator, *other_qs, **kwargs)
        clone._org_scoped = self._org_scoped and all(_is_scoped(qs) for qs in other_qs)
        return clone

    # --- the guard: everything that reads or changes stored rows passes through here --------

    def _check_scoped(self) -> None:
        if not self._org_scoped:
            name = self.model.__name__
            raise UnscopedQueryError(
                f"{name} query without an organisation: call {name}.objects.for_org(organisation)"
                f" or, where every organisation is meant, use {name}.all_orgs."
            )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scoped()
        super()._fetch_all()

    def iterator(self, chunk_size: int | None = None):
        self._check_scoped()
        return super().iterator(chunk_size)

    async def aiterator(self, chunk_size: int = 2000):
        self._check_scoped()
        async for item in super().aiterator(chunk_size):
            yield item

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scoped()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scoped()
        return super().exists()

    def contains(self, obj: models.Model) -> bool:
        if self._result_cache is None:
            self._check_scoped()
        return super().contains(obj)

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scoped()
        return super().aggregate(*args, **kwargs)

    def in_bulk(self, id_list: Any = None, *, field_name: str = "pk") -> dict[Any, Any]:
        self._check_scoped()
        return super().in_bulk(id_list, field_name=field_name)

    def explain(self, *, format: str | None = None, **options: Any) -> str:
        self._check_scoped()
        return super().explain(format=format, **options)

    def update(self, **kwargs: Any) -> int:
        self._check_scoped()
        return super().update(**kwargs)

    update.alters_data = True

    def _update(self, values: Any) -> int:
        self._check_scoped()
        return super()._update(values)

    _update.alters_data = True
    _update.queryset_only = False

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        self._check_scoped()
        return super().bulk_update(objs, fields, batch_size=batch_size)

    bulk_update.alters_data = True

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scoped()
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True

    def _raw_delete(self, using: str) -> int:
        self._check_scoped()
        return super()._raw_delete(using)

    _raw_delete.alters_data = True


def _is_scoped(queryset: models.QuerySet) -> bool:
    # A plain queryset comes from `Model.all_orgs`: its caller already chose every organisation.
    return queryset._org_scoped if isinstance(queryset, OrgQuerySet) else True


class MembershipQuerySet(OrgQuerySet):
    """Memberships are read by organisation, or by user: sign-in picks the organisation."""

    def for_user(self, user: AbstractBaseUser) -> MembershipQuerySet:
        # Only the user's own memberships, across their organisations: the organisation switcher.
        return self._scoped(self.filter(user=user))


class OrgOwned(models.Model):
    """Base of every organisation-owned model (each declares its own `organisation` key).

    `objects` fails closed: it runs only after `for_org(org)`. `all_orgs` is the escape hatch
    for the few places that must see every organisation, and the default manager, so Django's
    own machinery (validation, admin, related managers, deletion) keeps working.
    """

    all_orgs = models.Manager()
    objects = OrgQuerySet.as_manager()

    class Meta:
        abstract = True
        default_manager_name = "all_orgs"


class Organisation(models.Model):
    """A tenant: everything else belongs to exactly one organisation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    followup_target_days = models.PositiveSmallIntegerField(
        default=2,
        db_default=2,
        help_text=_("A follow-up should be closed within this many days."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", pgettext_lazy("role", "Lead")
    OWNER = "owner", pgettext_lazy("role", "Owner")
    VIEWER = "viewer", pgettext_lazy("role", "Viewer")


class Membership(OrgOwned):
    """A user's role in one organisation; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"


class Person(OrgOwned):
    """Someone who can own an audience's experience, optionally linked to a user account."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        ordering = ["name"]
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="person_unique_org_email"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AudienceKind(models.TextChoices):
    PROSPECT = "prospect", _("Prospective buyer")
    CUSTOMER = "customer", _("Customer")
    EMPLOYEE = "employee", _("Employee")
    CANDIDATE = "candidate", _("Prospective employee (candidate)")
    FAN = "fan", _("Fan / follower / subscriber")
    MEDIA = "media", _("Media / influencer")
    RESELLER = "reseller", _("Dealer / reseller")
    SUPPLIER = "supplier", _("Supplier / vendor")
    INVESTOR = "investor", _("Investor")
    DONOR = "donor", _("Donor")
    PARENT = "parent", _("Parent")
    ALUMNI = "alumni", _("Alumni")
    STUDENT = "student", _("Student")
    OTHER = "other", _("Other")


class LifecycleStage(models.TextChoices):
    PROSPECTIVE = "prospective", _("Prospective")
    CURRENT = "current", _("Current")
    FORMER = "former", _("Former")


class Audience(OrgOwned):
    """A group the organisation serves, whose experience someone should own and measure."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audiences"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=AudienceKind.choices)
    kind_label = models.CharField(
        max_length=100, blank=True, help_text=_("What to call this kind when the kind is 'Other'.")
    )
    stage = models.CharField(
        max_length=20, choices=LifecycleStage.choices, default=LifecycleStage.CURRENT
    )
    description = models.TextField(blank=True)
    why_it_matters = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="audiences"
    )
    rank = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(TOP_TEN)],
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        ordering = ["rank", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "slug"], name="audience_unique_org_slug"
            ),
            models.UniqueConstraint(
                fields=["organisation", "rank"],
                condition=models.Q(rank__isnull=False),
                name="audience_unique_org_rank",
            ),
            models.CheckConstraint(
                condition=models.Q(rank__isnull=True) | models.Q(rank__gte=1, rank__lte=TOP_TEN),
                name="audience_rank_in_top_ten",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_display(self) -> str:
        if self.kind == AudienceKind.OTHER and self.kind_label:
            return self.kind_label
        return self.get_kind_display()

    def clean(self) -> None:
        if not self.slug and self.name:
            self.slug = slug_from_name(self.name)
        if self.kind == AudienceKind.OTHER and not self.kind_label.strip():
            raise ValidationError({"kind_label": _("Name the kind when the kind is 'Other'.")})
        if (
            self.owner_id
            and self.organisation_id
            and self.owner.organisation_id != self.organisation_id
        ):
            raise ValidationError({"owner": _("The owner must be a person in this organisation.")})


class ApiKey(OrgOwned):
    """An organisation's credential for API clients; only a hash of the secret is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_key = models.CharField(max_length=128)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEntry(OrgOwned):
    """Who changed what and when, kept even when the object is archived or gone."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit")
    audience = models.ForeignKey(
        Audience, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta(OrgOwned.Meta):
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"

    @property
    def actor_display(self) -> str:
        if self.actor_user_id:
            return self.actor_user.get_full_name() or self.actor_user.email
        if self.actor_key_id:
            return gettext("API key %(name)s") % {"name": self.actor_key.name}
        return pgettext("audit actor", "system")


class Preference(models.Model):
    """What a person keeps across organisations and devices: the interface language they chose
    (blank: follow the browser). Not organisation-owned: one person, one choice."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference"
    )
    language = models.CharField(max_length=10, blank=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language or 'browser'}"
