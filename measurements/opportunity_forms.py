"""The opportunity form and the one FilterSet the lists and the API share (`?status=…`).

The rules live in `measurements.opportunity_services`; the views put their errors back on the
form field by field (`axreg.forms.save_through_service`).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.filters import request_organisation
from audiences.models import Audience, Person
from axreg.forms import BrowserModelForm
from journeys.models import Touchpoint
from measurements.models import MetricDefinition, Opportunity, OpportunityStatus

SCORE_CHOICES = [(1, _("1 · little")), (2, "2"), (3, "3"), (4, "4"), (5, _("5 · a lot"))]


class OpportunityForm(BrowserModelForm):
    """Problem, value and effort are all a quick add needs; the rest may follow."""

    value = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label=pgettext_lazy("opportunity score", "Value"),
        help_text=_("How much it would help the audience."),
    )
    effort = forms.TypedChoiceField(
        choices=SCORE_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        label=_("Effort"),
        help_text=_("How much work it is."),
    )

    class Meta:
        model = Opportunity
        fields = ["problem", "idea", "value", "effort", "touchpoints", "owner", "definition"]
        fields += ["status"]
        labels = {
            "problem": _("Problem"),
            "idea": _("Idea"),
            "touchpoints": _("At the touchpoints"),
            "owner": _("Owner"),
            "definition": _("The metric it should move"),
            "status": _("Status"),
        }
        help_texts = {
            "problem": _("What hurts, in the audience's words if you have them."),
            "idea": _("What you would change (may follow later)."),
            "touchpoints": _("Where on the journey it happens."),
            "definition": _("Its before and after is shown once the opportunity is done."),
        }
        widgets = {
            "problem": forms.Textarea(attrs={"rows": 3}),
            "idea": forms.Textarea(attrs={"rows": 3}),
            "touchpoints": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, audience: Audience, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_id = audience.organisation_id
        self.fields["touchpoints"].queryset = (
            Touchpoint.objects.for_org(org_id)
            .filter(audience=audience)
            .select_related("stage")
            .order_by("stage__position", "stage_id", "position", "id")
        )
        self.fields["touchpoints"].label_from_instance = lambda t: f"{t.stage.name}: {t.name}"
        self.fields["owner"].queryset = Person.objects.for_org(org_id).order_by("name")
        self.fields["owner"].empty_label = _("Nobody yet")
        self.fields["definition"].queryset = (
            MetricDefinition.objects.for_org(org_id)
            .filter(audience=audience)
            .order_by("-active", "name")
        )
        self.fields["definition"].empty_label = _("No metric yet")
        self.fields["definition"].label_from_instance = lambda d: d.name
        self.fields["status"].required = False  # a quick add starts as an idea


def _audience_choices(request: HttpRequest | None) -> QuerySet[Audience]:
    organisation = request_organisation(request)
    if organisation is None:
        return Audience.objects.none()
    return Audience.objects.for_org(organisation).filter(archived=False).order_by("name")


def _owner_choices(request: HttpRequest | None) -> QuerySet[Person]:
    organisation = request_organisation(request)
    if organisation is None:
        return Person.objects.none()
    return Person.objects.for_org(organisation).order_by("name")


class OpportunityFilter(django_filters.FilterSet):
    """Filters the caller's (already organisation-scoped) opportunities."""

    status = django_filters.ChoiceFilter(
        choices=OpportunityStatus.choices, empty_label=_("Any"), label=_("Status")
    )
    audience = django_filters.ModelChoiceFilter(
        queryset=_audience_choices,
        to_field_name="slug",
        empty_label=_("Any audience"),
        label=_("Audience"),
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=_owner_choices,
        empty_label=_("Anyone"),
        null_label=_("Nobody named"),
        label=_("Owner"),
    )

    class Meta:
        model = Opportunity
        fields = ["status", "audience", "owner"]
