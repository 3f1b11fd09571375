from django.db import models

from audiences.models import Audience, Organisation, OrgOwned, Person


class Phase(models.TextChoices):
    BEFORE = "before", "Before the transaction / joining"
    DURING = "during", "During the transaction / joining"
    AFTER = "after", "After the transaction / joining"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    EMAIL = "email", "Email"
    SMS = "sms", "SMS"
    LIVE_CHAT = "live_chat", "Live chat"
    CHATBOT = "chatbot", "Chatbot"
    PHONE = "phone", "Phone"
    SOCIAL = "social", "Social"
    IN_PERSON = "in_person", "In person"
    APP = "app", "App"
    EVENT = "event", "Event"
    MAIL = "mail", "Mail"
    OTHER = "other", "Other"


class Stage(OrgOwned):
    """One column of an audience's journey map, in order, before/during/after the transaction."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=200)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.DURING)
    position = models.PositiveIntegerField(default=0)
    description = models.TextField(blank=True)

    class Meta(OrgOwned.Meta):
        ordering = ["audience_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Touchpoint(OrgOwned):
    """A moment where the audience meets the organisation, with what they expect and feel."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="touchpoints")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.WEB)
    expectations = models.TextField(blank=True, help_text="What the audience expects here.")
    emotions = models.TextField(blank=True, help_text="What they feel.")
    motivations = models.TextField(blank=True, help_text="What they want.")
    obstacles = models.TextField(blank=True, help_text="What gets in their way.")
    owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="touchpoints"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta(OrgOwned.Meta):
        ordering = ["stage__position", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["audience", "slug"], name="touchpoint_unique_audience_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Persona(OrgOwned):
    """A data-driven portrait of part of an audience; deliberately no photo."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="personas")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True)
    responsibilities = models.TextField(blank=True)
    goals = models.TextField(blank=True)
    pain_points = models.TextField(blank=True)
    triggers = models.TextField(blank=True)
    stages = models.ManyToManyField(Stage, blank=True, related_name="personas")
    touchpoints = models.ManyToManyField(Touchpoint, blank=True, related_name="personas")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta(OrgOwned.Meta):
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuoteSource(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    REVIEW = "review", "Review"
    SUPPORT_CALL = "support_call", "Support call"
    SURVEY_COMMENT = "survey_comment", "Survey comment"
    SOCIAL = "social", "Social post"
    OTHER = "other", "Other"


class PersonaQuote(models.Model):
    """A direct quote behind a persona, with where it came from."""

    persona = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField()
    source = models.CharField(max_length=20, choices=QuoteSource.choices)
    source_detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.text[:60]
