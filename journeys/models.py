from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.models import Audience, Organisation, OrgOwned, Person


class Phase(models.TextChoices):
    BEFORE = "before", _("Before the transaction / joining")
    DURING = "during", _("During the transaction / joining")
    AFTER = "after", _("After the transaction / joining")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    LIVE_CHAT = "live_chat", _("Live chat")
    CHATBOT = "chatbot", _("Chatbot")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social")
    IN_PERSON = "in_person", _("In person")
    APP = "app", _("App")
    EVENT = "event", pgettext_lazy("journey channel", "Event")  # not a webhook event
    MAIL = "mail", pgettext_lazy("channel: letters by post", "Mail")
    OTHER = "other", _("Other")


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
    expectations = models.TextField(blank=True, help_text=_("What the audience expects here."))
    emotions = models.TextField(blank=True, help_text=_("What they feel."))
    motivations = models.TextField(blank=True, help_text=_("What they want."))
    obstacles = models.TextField(blank=True, help_text=_("What gets in their way."))
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
    INTERVIEW = "interview", _("Interview")
    REVIEW = "review", _("Review")
    SUPPORT_CALL = "support_call", _("Support call")
    SURVEY_COMMENT = "survey_comment", _("Survey comment")
    SOCIAL = "social", _("Social post")
    OTHER = "other", _("Other")


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
