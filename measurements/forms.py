"""Browser forms for measurement plans and metric definitions.

The rules live in `measurements.services` (`definition_validate`), which the API uses too; the
views call the services and put their errors back on these forms, field by field
(`axreg.forms.save_through_service`), so a save runs the rules once, in the service.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience
from axreg.forms import BrowserModelForm
from axreg.text import lower
from journeys.models import Touchpoint
from measurements import services
from measurements.kinds import KINDS
from measurements.models import MeasurementPlan, Method, MetricDefinition
from measurements.reviews import REVIEW_MONTHS_MAX, REVIEW_MONTHS_MESSAGE, REVIEW_MONTHS_MIN
from measurements.scales import followup_default_text


class PlanForm(BrowserModelForm):
    methods = forms.MultipleChoiceField(
        choices=Method.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Methods"),
        help_text=_("Choose every method you use."),
    )
    # Declared here so the browser's min/max and both ends' message are the service's 1–36
    # (the model's PositiveSmallIntegerField would say min=0 and "greater than or equal to 0").
    review_every_months = forms.IntegerField(
        required=False,
        min_value=REVIEW_MONTHS_MIN,
        max_value=REVIEW_MONTHS_MAX,
        label=_("Review every N months"),
        error_messages={
            "min_value": REVIEW_MONTHS_MESSAGE,
            "max_value": REVIEW_MONTHS_MESSAGE,
        },
        help_text=_(
            "How often the plan itself is reviewed, in months (1–36). "
            "Past it, the plan is overdue: it shows on your home, in the weekly digest and "
            "as a gap in the liability checks. Empty: no review reminder."
        ),
    )

    class Meta:
        model = MeasurementPlan
        fields = [
            "process",
            "methods",
            "cadence",
            "review_every_months",
            "data_sources",
            "run_by",
            "last_reviewed_on",
        ]
        labels = {
            "process": _("Process, in your own words"),
            "methods": _("Methods"),
            "cadence": _("Cadence"),
            "data_sources": _("Data sources"),
            "run_by": _("Who runs it"),
            "last_reviewed_on": _("Last reviewed on"),
        }
        help_texts = {
            "process": _(
                "How you listen to this audience, what you do with what you hear, "
                "and who acts on it."
            ),
            "cadence": _("e.g. “Relationship survey twice a year; transactional after each case”."),
            "data_sources": _("The tools the data comes from (survey tool, helpdesk, CRM…)."),
        }
        widgets = {
            "process": forms.Textarea(attrs={"rows": 5}),
            "data_sources": forms.Textarea(attrs={"rows": 2}),
            "last_reviewed_on": forms.DateInput(),  # ISO and type=date: BrowserModelForm
        }


def _words(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("%(items)s and %(last)s") % {
        "items": gettext(", ").join(items[:-1]),
        "last": items[-1],
    }


def scale_help() -> str:
    """Each kind's scale in words, from KINDS, in the active language: "CSAT: default 1–5; …;
    NPS is always 0–10; …"."""
    changeable, fixed, none = [], [], []
    for spec in KINDS.values():
        label = str(spec.label)
        if spec.default_scale is None:
            # "time to resolution", but "CLV" keeps its capitals.
            none.append(label if label.isupper() else lower(label))
            continue
        lo, hi = spec.default_scale
        words = {"label": label, "lo": lo, "hi": hi}
        if spec.fixed_scale:
            fixed.append(gettext("%(label)s is always %(lo)s–%(hi)s") % words)
        else:
            changeable.append(gettext("%(label)s: default %(lo)s–%(hi)s") % words)
    parts = [*changeable, *fixed]
    if none:
        parts.append(
            ngettext("%(kinds)s has no scale", "%(kinds)s have no scale", len(none))
            % {"kinds": _words(none)}
        )
    return gettext("; ").join(parts) + "."


# The help texts are Meta attributes, made at import: lazy, so they are said in the language
# of the request that shows the form.
_scale_help_lazy = lazy(scale_help, str)
_followup_default_lazy = lazy(followup_default_text, str)


class DefinitionForm(BrowserModelForm):
    class Meta:
        model = MetricDefinition
        fields = [
            "kind",
            "name",
            "slug",
            "scale_min",
            "scale_max",
            "touchpoint",
            "target",
            "alert_threshold",
            "alert_min_n",
            "followup_threshold",
            "margin_percent",
            "currency",
            "min_group_size",
            "active",
        ]
        labels = {
            "kind": _("Kind"),
            "name": _("Name"),
            "slug": _("Slug"),
            "scale_min": _("Scale from"),
            "scale_max": _("Scale to"),
            "touchpoint": _("Touchpoint"),
            "target": _("Target"),
            "alert_threshold": _("Alert threshold"),
            "margin_percent": _("Gross margin % (CLV only)"),
            "currency": _("Currency (CLV only)"),
            "min_group_size": _("Minimum group size"),
            "alert_min_n": _("Minimum n for an alert"),
            "followup_threshold": _("Follow-up threshold"),
            "active": _("Active"),
        }
        help_texts = {
            "slug": _(
                "Unique within this audience; API clients send it. Empty: the kind "
                "(so the usual NPS is “nps”)."
            ),
            "scale_min": _scale_help_lazy(),
            "target": _(
                "The value you aim for (NPS −100…100, CSAT 0–100 %, CES on its scale, "
                "time to resolution in hours, retention and churn in %, CLV in money)."
            ),
            "alert_threshold": _(
                "An alert opens when a complete month's value crosses it, and "
                "closes when a later month is back on the right side."
            ),
            "alert_min_n": _(
                "A month alerts only with at least this many responses, cases or "
                "members behind it. Empty: 30 for a new metric (under 30 a value is indicative "
                "only), else unchanged."
            ),
            "followup_threshold": format_lazy(
                _(
                    "A response scoring at or below this, with a comment or a "
                    "respondent, becomes a follow-up for the audience's owner. Empty: "
                    "{rule}. A change applies to responses stored from then on."
                ),
                rule=_followup_default_lazy(),
            ),
            "currency": _(
                "ISO 4217, e.g. EUR: the currency of this audience's revenue events, "
                "which are refused in any other. Empty: the one the audience's (else the "
                "organisation's) revenue is already in, else EUR. Leave it empty for other "
                "kinds."
            ),
        }

    def __init__(self, *args: Any, audience: Audience, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = (
            Touchpoint.objects.for_org(audience.organisation_id)
            .filter(audience=audience)
            .select_related("stage")
        )
        self.fields["touchpoint"].label_from_instance = lambda t: f"{t.stage.name} · {t.name}"
        for name in ("name", "slug", "alert_min_n"):
            self.fields[name].required = False
        self.fields["name"].help_text = _("Empty: the kind's name for this audience (e.g. eNPS).")
        if self.instance.pk is None:
            self.instance.organisation = audience.organisation
            self.instance.audience = audience

    def clean_alert_min_n(self) -> int:
        # Empty keeps what the definition has: the model's default (30) for a new one.
        value = self.cleaned_data.get("alert_min_n")
        return self.instance.alert_min_n if value is None else value

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self._errors:
            return  # the save goes on to the service, which runs the rules and reports them
        # A field already failed its own check, so the service will not run: run the product's
        # rules here instead (they write nothing), so that every problem shows at once.
        try:
            services.definition_validate(self.instance)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field not in self.errors:
                    self.add_error(field if field in self.fields else None, messages)
