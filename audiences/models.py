from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import slugify

from audiences.timezones import validate_timezone

TOP_TEN = 10


class OrgQuerySet(models.QuerySet):
    """The one place a query is narrowed to an organisation."""

    def for_org(self, organisation: Organisation | int) -> OrgQuerySet:
        org_id = organisation if isinstance(organisation, int) else organisation.pk
        if org_id is None:
            raise ValueError("for_org() needs a saved organisation")
        return self.filter(organisation_id=org_id)


class Organisation(models.Model):
    """A tenant: everything else belongs to exactly one organisation."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    OWNER = "owner", "Owner"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """A user's role in one organisation; a user may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrgQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_unique_user_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"


class Person(models.Model):
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

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"], name="person_unique_org_email"
            )
        ]

    def __str__(self) -> str:
        return self.name


class AudienceKind(models.TextChoices):
    PROSPECT = "prospect", "Prospective buyer"
    CUSTOMER = "customer", "Customer"
    EMPLOYEE = "employee", "Employee"
    CANDIDATE = "candidate", "Prospective employee (candidate)"
    FAN = "fan", "Fan / follower / subscriber"
    MEDIA = "media", "Media / influencer"
    RESELLER = "reseller", "Dealer / reseller"
    SUPPLIER = "supplier", "Supplier / vendor"
    INVESTOR = "investor", "Investor"
    DONOR = "donor", "Donor"
    PARENT = "parent", "Parent"
    ALUMNI = "alumni", "Alumni"
    STUDENT = "student", "Student"
    OTHER = "other", "Other"


class LifecycleStage(models.TextChoices):
    PROSPECTIVE = "prospective", "Prospective"
    CURRENT = "current", "Current"
    FORMER = "former", "Former"


class Audience(models.Model):
    """A group the organisation serves, whose experience someone should own and measure."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audiences"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=20, choices=AudienceKind.choices)
    kind_label = models.CharField(
        max_length=100, blank=True, help_text="What to call this kind when the kind is 'Other'."
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

    objects = OrgQuerySet.as_manager()

    class Meta:
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
            self.slug = slugify(self.name)[:80]
        if self.kind == AudienceKind.OTHER and not self.kind_label.strip():
            raise ValidationError({"kind_label": "Name the kind when the kind is 'Other'."})
        if (
            self.owner_id
            and self.organisation_id
            and self.owner.organisation_id != self.organisation_id
        ):
            raise ValidationError({"owner": "The owner must be a person in this organisation."})


class ApiKey(models.Model):
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

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class AuditEntry(models.Model):
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

    objects = OrgQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"

    @property
    def actor_display(self) -> str:
        if self.actor_user_id:
            return self.actor_user.get_full_name() or self.actor_user.email
        if self.actor_key_id:
            return f"API key {self.actor_key.name}"
        return "system"
