"""The follow-up pages' forms: the list's filters, the assign / status / note form, and the
lead's target. They only validate; `measurements.followups` writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.models import Audience, Organisation, Person
from axreg.forms import BrowserForm
from measurements.followups import NOTE_MAX, followup_version
from measurements.models import FollowUp, FollowUpStatus


class FollowUpFilterForm(BrowserForm):
    """GET filters of the list; an unknown value is ignored (the list shows everything)."""

    status = forms.ChoiceField(
        choices=[
            ("", _("Not closed")),
            ("all", pgettext_lazy("every status", "All")),
            *FollowUpStatus.choices,
        ],
        required=False,
        label=_("Status"),
    )
    audience = forms.ModelChoiceField(
        queryset=Audience.objects.none(),
        required=False,
        empty_label=_("All audiences"),
        to_field_name="slug",
        label=_("Audience"),
    )
    mine = forms.BooleanField(label=_("Assigned to me"), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["audience"].queryset = (
            Audience.objects.for_org(organisation).filter(archived=False).order_by("name")
        )


class FollowUpForm(BrowserForm):
    """Assign, move and note one follow-up."""

    assignee = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Nobody"),
        label=_("Assignee"),
        help_text=_("Who answers the person behind this response."),
    )
    status = forms.ChoiceField(choices=FollowUpStatus.choices, label=_("Status"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=NOTE_MAX,
        label=_("Note"),
        help_text=_(
            "What was done or agreed; shown to everyone in the organisation. "
            "Earlier notes stay in the history below."
        ),
    )
    # The version the page was read at: a second tab opened before a close must not reopen
    # the follow-up or replace its note (`followup_update` refuses when the row changed).
    version = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = Person.objects.for_org(organisation).order_by("name")

    @staticmethod
    def initial_of(followup: FollowUp) -> dict[str, Any]:
        """The form's values for the follow-up as it stands, with the version it was read at."""
        return {
            "assignee": followup.assignee,
            "status": followup.status,
            "note": followup.note,
            "version": followup_version(followup),
        }


class FollowUpTargetForm(BrowserForm):
    followup_target_days = forms.IntegerField(
        label=_("Close follow-ups within (days)"),
        min_value=1,
        max_value=90,
        help_text=_(
            "The loop's numbers count a follow-up closed within this many days as on target."
        ),
    )
