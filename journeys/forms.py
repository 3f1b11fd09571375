"""Browser forms for stages, touchpoints and personas; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience, Person
from axreg.forms import BrowserModelForm
from journeys.models import Persona, PersonaQuote, Stage, Touchpoint


class StageForm(BrowserModelForm):
    class Meta:
        model = Stage
        fields = ["name", "phase", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {"name": _("Name"), "phase": _("Phase"), "description": _("Description")}
        help_texts = {
            "phase": _(
                "When this stage happens: before, during or after the transaction (or "
                "joining). Map what comes before and after as stages of their own: they are "
                "different experiences."
            )
        }


class TouchpointForm(BrowserModelForm):
    class Meta:
        model = Touchpoint
        fields = [
            "stage",
            "name",
            "slug",
            "channel",
            "expectations",
            "emotions",
            "motivations",
            "obstacles",
            "owner",
        ]
        labels = {
            "stage": _("Stage"),
            "name": _("Name"),
            "slug": _("Slug"),
            "channel": _("Channel"),
            "expectations": _("Expects"),
            "emotions": _("Feels"),
            "motivations": _("Wants"),
            "obstacles": _("Obstacles"),
            "owner": _("Owner"),
        }
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("expectations", "emotions", "motivations", "obstacles")
        }

    def __init__(self, *args: Any, audience: Audience, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.for_org(audience.organisation_id).filter(
            audience=audience
        )
        self.fields["owner"].queryset = Person.objects.for_org(audience.organisation_id)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _(
            "Used by API clients; left empty, it is made from the name."
        )


class PersonaForm(BrowserModelForm):
    class Meta:
        model = Persona
        fields = [
            "name",
            "role",
            "responsibilities",
            "goals",
            "pain_points",
            "triggers",
            "stages",
            "touchpoints",
        ]
        widgets = {
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in ("responsibilities", "goals", "pain_points", "triggers")
            },
            "stages": forms.CheckboxSelectMultiple,
            "touchpoints": forms.CheckboxSelectMultiple,
        }
        labels = {
            "name": _("Name"),
            "role": _("Role"),
            "responsibilities": _("Responsibilities"),
            "goals": _("Goals"),
            "pain_points": _("Pain points"),
            "triggers": _("Triggers"),
            "stages": _("Stages"),
            "touchpoints": _("Touchpoints"),
        }
        help_texts = {
            "triggers": _("What makes them act: the moments that start a journey."),
            "stages": _(
                "The journey stages this persona goes through as a whole (all their "
                "touchpoints). The journey map can be filtered to one persona."
            ),
            "touchpoints": _(
                "The touchpoints this persona uses; a stage with one of them ticked "
                "shows only the ticked ones when the map is filtered to the persona."
            ),
        }

    def __init__(self, *args: Any, audience: Audience, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this audience's journey: the service refuses any other, whatever is posted.
        self.fields["stages"].queryset = Stage.objects.for_org(audience.organisation_id).filter(
            audience=audience
        )
        self.fields["touchpoints"].queryset = (
            Touchpoint.objects.for_org(audience.organisation_id)
            .filter(audience=audience)
            .select_related("stage")
            .order_by("stage__position", "position", "id")
        )
        self.fields["touchpoints"].label_from_instance = lambda t: (
            gettext("%(stage)s: %(touchpoint)s")
            % {
                "stage": t.stage.name,
                "touchpoint": t.name,
            }
        )


class QuoteForm(BrowserModelForm):
    class Meta:
        model = PersonaQuote
        fields = ["text", "source", "source_detail"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}
        labels = {
            "text": _("Quote"),
            "source": _("Source"),
            "source_detail": _("Source detail (optional)"),
        }
        help_texts = {"source_detail": _("e.g. “Interview, March 2025” or a ticket number.")}


# Validation only: the persona service writes the quotes, so that each change is audited.
QuoteFormSet = forms.inlineformset_factory(
    Persona, PersonaQuote, form=QuoteForm, extra=2, can_delete=True
)


def quotes_from_formset(formset: forms.BaseInlineFormSet) -> list[dict[str, Any]]:
    """The formset's rows as the plain dicts `persona_save` takes; blank extra rows dropped."""
    quotes = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue
        instance = data.get("id")
        item = {name: data.get(name, "") for name in ("text", "source", "source_detail")}
        item["id"] = instance.pk if instance is not None else None
        item["delete"] = bool(data.get("DELETE"))
        if item["id"] is None and item["delete"]:
            continue
        quotes.append(item)
    return quotes
