from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.models import ApiKey, Audience, Organisation, OrgOwned, Person


class Method(models.TextChoices):
    RELATIONSHIP_SURVEY = "relationship_survey", _("Relationship survey")
    TRANSACTIONAL_SURVEY = "transactional_survey", _("Transactional survey")
    INTERVIEWS = "interviews", _("Interviews")
    SUPPORT_TICKETS = "support_tickets", _("Support tickets")
    REVIEWS = "reviews", _("Reviews")
    SOCIAL_LISTENING = "social_listening", _("Social listening")
    PRODUCT_ANALYTICS = "product_analytics", _("Product analytics")
    SESSION_RECORDINGS = "session_recordings", _("Session recordings")
    FOCUS_GROUPS = "focus_groups", _("Focus groups")
    OTHER = "other", _("Other")


class MeasurementPlan(OrgOwned):
    """How an audience's owner measures its experience, in their own words."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.OneToOneField(
        Audience, on_delete=models.CASCADE, related_name="measurement_plan"
    )
    process = models.TextField(blank=True)
    methods = models.JSONField(default=list, blank=True)
    cadence = models.CharField(max_length=200, blank=True)
    data_sources = models.TextField(blank=True)
    run_by = models.CharField(max_length=200, blank=True)
    last_reviewed_on = models.DateField(null=True, blank=True)
    # The cadence above is the owner's words; this is the number a reminder can act on.
    review_every_months = models.PositiveSmallIntegerField(
        _("review every (months)"),
        null=True,
        blank=True,
        help_text=_("Review the plan every this many months. Empty: no review reminder."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Measurement plan for {self.audience}"

    def clean(self) -> None:
        unknown = [m for m in self.methods or [] if m not in Method.values]
        if unknown:
            raise ValidationError(
                {"methods": _("Unknown method(s): %(methods)s.") % {"methods": ", ".join(unknown)}}
            )

    @property
    def method_labels(self) -> list[str]:
        return [Method(m).label for m in self.methods or [] if m in Method.values]


class MetricKind(models.TextChoices):
    NPS = "nps", "NPS"
    CSAT = "csat", "CSAT"
    CES = "ces", "CES"
    TTR = "ttr", _("Time to resolution")
    RETENTION = "retention", _("Retention")
    CHURN = "churn", _("Churn")
    CLV = "clv", _("Customer lifetime value")


class MetricDefinition(OrgOwned):
    """How one number about an audience is made: kind, scale, target and alert threshold."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(
        Audience, on_delete=models.CASCADE, related_name="metric_definitions"
    )
    kind = models.CharField(max_length=12, choices=MetricKind.choices)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    scale_min = models.SmallIntegerField(null=True, blank=True)
    scale_max = models.SmallIntegerField(null=True, blank=True)
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="metric_definitions",
    )
    target = models.FloatField(null=True, blank=True)
    alert_threshold = models.FloatField(null=True, blank=True)
    margin_percent = models.DecimalField(max_digits=5, decimal_places=2, default=100)
    # CLV only: the ISO 4217 code its revenue events are in (ingestion refuses others, so a
    # CLV never adds two currencies); empty for every other kind.
    # db_default too: the column is added with a DEFAULT, so rows written by the previous
    # release during a deploy still insert (the migration linter's NOT NULL check).
    currency = models.CharField(
        max_length=3,
        blank=True,
        default="",
        db_default="",
        help_text=_("CLV only: ISO 4217, e.g. EUR."),
    )
    min_group_size = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_(
            "Breakdowns and comments with fewer responses stay hidden. "
            "Empty: 5 for employee and candidate audiences, 1 otherwise."
        ),
    )
    # 30 = measurements.metrics.INDICATIVE_BELOW (models cannot import it): an alert should
    # not wake an owner for a value PRODUCT.md calls indicative only.
    alert_min_n = models.PositiveSmallIntegerField(
        default=30,
        db_default=30,
        help_text=_(
            "A month alerts only with at least this many responses, cases or members "
            "behind it. 30 by default: under 30 a value is indicative only, and one dip in a "
            "small sample would raise an alert that means nothing."
        ),
    )
    followup_threshold = models.SmallIntegerField(
        null=True,
        blank=True,
        # The numbers of the default live in measurements.scales.followup_default_text (forms
        # and the API say them); kinds imports this module, so the model cannot.
        help_text=_(
            "A response scoring at or below this, with a comment or a respondent, "
            "becomes a follow-up for the audience's owner. Empty: the kind's default."
        ),
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        ordering = ["audience_id", "kind", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "slug"], name="definition_unique_audience_slug"
            )
        ]

    def __str__(self) -> str:
        return f"{self.audience} · {self.name}"


class Response(OrgOwned):
    """One survey answer as pushed by an API client; append-only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    # No index of its own: `response_day_covering` leads with it (a definition's delete and
    # foreign-key checks use that one).
    definition = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="responses", db_index=False
    )
    # NULL, not "", means "no external id" so that it stays out of the unique constraint.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    score = models.SmallIntegerField()
    responded_at = models.DateTimeField()
    # The calendar day in the organisation's time zone, fixed at ingestion so that daily
    # rollups group without time-zone arithmetic in SQL (SQLite has none).
    local_date = models.DateField()
    # RESTRICT: a touchpoint that answers carry cannot be deleted (they would lose it for good:
    # the dashboard's breakdowns read it), yet an organisation's deletion, which cascades to
    # both, still goes through. journeys.services counts them first and refuses in words.
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    respondent = models.CharField(max_length=200, blank=True)
    comment = models.TextField(blank=True)
    # No index: keys are revoked, never deleted, so nothing looks responses up by key (an
    # organisation's deletion takes its keys with a scan). Every ingested row paid for it.
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, db_index=False
    )
    batch_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="response_unique_org_external_id",
            )
        ]
        indexes = [
            # A definition's days, carrying what the reads of days need: the stale rebuild
            # (score), the liability's "since" check (responded_at), the dashboard's breakdown
            # (touchpoint) and every one's organisation filter are answered by an index-only
            # scan, not by one heap page per response (docs/performance.md).
            models.Index(
                fields=["definition", "local_date"],
                include=["organisation", "score", "responded_at", "touchpoint"],
                name="response_day_covering",
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition.slug}={self.score} at {self.responded_at:%Y-%m-%d}"


class SupportCase(OrgOwned):
    """A helpdesk case; sent again when it is resolved, so it upserts on external_id."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=200)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # RESTRICT, as on Response: a tagged case keeps its touchpoint.
    touchpoint = models.ForeignKey(
        "journeys.Touchpoint", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=20, blank=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True)
    batch_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="case_unique_org_external_id"
            )
        ]
        indexes = [models.Index(fields=["audience", "resolved_at"], name="case_audience_resolved")]

    def __str__(self) -> str:
        return self.external_id


class RevenueEvent(OrgOwned):
    """Money received from one member of an audience; append-only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    # NULL, not "", means "no external id" so that it stays out of the unique constraint.
    external_id = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    member = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    occurred_at = models.DateTimeField()
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True)
    batch_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="revenue_unique_org_external_id",
            )
        ]
        indexes = [models.Index(fields=["audience", "occurred_at"], name="revenue_audience_time")]

    def __str__(self) -> str:
        return f"{self.member} {self.amount} {self.currency}"


class AudienceMember(OrgOwned):
    """Someone's membership of an audience over time (joined, left), for retention and CLV."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="members")
    member = models.CharField(max_length=200)
    joined_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True)
    batch_id = models.UUIDField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "member"], name="member_unique_audience_member"
            )
        ]

    def __str__(self) -> str:
        return self.member


class StaleMark(OrgOwned):
    """A (definition, local day) whose rollups must be recomputed; written with the data.

    Not unique: every write transaction adds its own mark, and a recompute deletes only the
    marks it claimed before reading the data. A unique mark (INSERT … ON CONFLICT DO NOTHING)
    loses rows: a write committing while a worker recomputes that day finds the worker's mark,
    adds none, and the worker then deletes the only mark without having seen the new rows.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="stale_marks"
    )
    day = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.definition_id}@{self.day}"


class DailyScoreCount(OrgOwned):
    """How many responses gave each score on one local day: histograms add up across periods.

    Derived data, rebuilt from responses: its foreign keys are not database constraints (a
    full rollup writes ~200,000 rows, and checking each one's keys at COMMIT cost more than
    writing them). Deletes still cascade, in the ORM. Only the unique index is kept: it leads
    with the definition, so a per-definition delete or lookup needs no other index.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    definition = models.ForeignKey(
        MetricDefinition,
        on_delete=models.CASCADE,
        related_name="daily_counts",
        db_constraint=False,
        db_index=False,
    )
    day = models.DateField()
    score = models.SmallIntegerField()
    count = models.PositiveIntegerField()

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "day", "score"], name="dailycount_unique_def_day_score"
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_id}@{self.day} score {self.score}: {self.count}"


class Granularity(models.TextChoices):
    DAY = "day", _("Day")
    WEEK = "week", _("Week")
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class Rollup(OrgOwned):
    """One metric value for one calendar period; written again, it replaces the old one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="rollups"
    )
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    period_start = models.DateField()
    value = models.FloatField(null=True, blank=True)
    n = models.IntegerField(default=0)
    details = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        ordering = ["definition_id", "granularity", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "granularity", "period_start"],
                name="rollup_unique_def_granularity_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} {self.granularity} {self.period_start}: {self.value}"


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("alert status", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("alert status", "Resolved")


class Alert(OrgOwned):
    """One crossing of a definition's alert threshold: opened in the first complete month on
    the wrong side (`period_start`), continued while later months stay there
    (`last_period_start`, `value`: the latest), resolved by the first month back on the right
    side. A later crossing is a new alert; each is e-mailed once (`emailed_at`)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="alerts"
    )
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    period_start = models.DateField()
    last_period_start = models.DateField()
    value = models.FloatField()
    threshold = models.FloatField()
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The people's side of an alert, apart from the numbers' side above (`resolved_at`: the
    # value came back): open -> acknowledged -> resolved. Resolved by a person closes it for
    # everyone even while the crossing lasts; a later crossing is a new alert.
    status = models.CharField(
        max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_default="open"
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, default="", db_default="")

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at"]
        constraints = [
            # A crossing opens in one month, so two alerts never open in the same one.
            models.UniqueConstraint(
                fields=["definition", "granularity", "period_start"],
                name="alert_unique_def_granularity_period",
            ),
            # A value is on one side at a time: at most one crossing is open.
            models.UniqueConstraint(
                fields=["definition", "granularity"],
                condition=models.Q(resolved_at__isnull=True),
                name="alert_one_open_per_definition",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # An alert created for one month (a test, a hand-made row) lasts that month.
        if self.last_period_start is None:
            self.last_period_start = self.period_start
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"Alert {self.definition_id} {self.period_start}: {self.value}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up status", "Open")
    IN_PROGRESS = "in_progress", pgettext_lazy("follow-up status", "In progress")
    CLOSED = "closed", pgettext_lazy("follow-up status", "Closed")


class FollowUp(OrgOwned):
    """One low response someone should answer: made once per response (its comment or
    respondent says who to reach), for the audience's owner unless assigned to someone else."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(
        MetricDefinition, on_delete=models.CASCADE, related_name="followups"
    )
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="followup")
    assignee = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="followups"
    )
    status = models.CharField(
        max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    note = models.TextField(blank=True)
    # The threshold the response was at or below when the follow-up was made: a definition's
    # threshold changed later applies from then on, so "at or below 6" stays true for this one.
    # Null on follow-ups made before it was recorded (they show today's rule, saying so).
    threshold = models.SmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["audience", "status"], name="followup_audience_status"),
            models.Index(fields=["assignee", "status"], name="followup_assignee_status"),
        ]

    def __str__(self) -> str:
        return f"Follow-up {self.pk} on {self.definition_id} ({self.status})"


class DigestSent(OrgOwned):
    """The weekly digest e-mail went to this person for this week (Monday): the unique row is
    what makes a second beat run in the same week send nothing."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    week_start = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta(OrgOwned.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["person", "week_start"], name="digest_one_per_person_week"
            )
        ]

    def __str__(self) -> str:
        return f"Digest for {self.person_id}, week of {self.week_start}"


class OpportunityStatus(models.TextChoices):
    IDEA = "idea", pgettext_lazy("opportunity status", "Idea")
    PLANNED = "planned", pgettext_lazy("opportunity status", "Planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("opportunity status", "In progress")
    DONE = "done", pgettext_lazy("opportunity status", "Done")


class Opportunity(OrgOwned):
    """An improvement to a journey: the problem at one or more touchpoints, the idea, and the
    metric it should move, prioritised by value over effort."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="opportunities")
    touchpoints = models.ManyToManyField(
        "journeys.Touchpoint", blank=True, related_name="opportunities"
    )
    problem = models.TextField()
    idea = models.TextField(blank=True)
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities"
    )
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How much it would help the audience, 1 (little) to 5 (a lot)."),
    )
    effort = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("How much work it is, 1 (little) to 5 (a lot)."),
    )
    status = models.CharField(
        max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.IDEA
    )
    definition = models.ForeignKey(
        MetricDefinition,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
        help_text=_("The metric it should move."),
    )
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        ordering = ["-created_at", "-id"]
        verbose_name_plural = _("opportunities")

    def __str__(self) -> str:
        return self.problem[:60]
