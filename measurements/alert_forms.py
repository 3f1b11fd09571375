"""The alert pages' forms: the list's filters and the note that goes with acknowledging or
resolving (the move itself is the button's URL; `alert_services` checks it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.models import Audience, Organisation, Person
from axreg.forms import BrowserForm
from measurements.alert_services import NOTE_MAX_LENGTH

STATUS_CHOICES = [
    ("", _("Not resolved")),
    ("open", pgettext_lazy("alert status", "Open")),
    ("acknowledged", pgettext_lazy("alert status", "Acknowledged")),
    ("resolved", pgettext_lazy("alert status", "Resolved")),
    ("all", pgettext_lazy("every status", "All")),
]


class AlertFilterForm(BrowserForm):
    """`?status=&audience=<slug>&owner=<person id>&mine=on` of the organisation's alert list."""

    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, label=_("Status"))
    audience = forms.ChoiceField(required=False, label=_("Audience"))
    owner = forms.ChoiceField(required=False, label=_("Owner"))
    mine = forms.BooleanField(required=False, label=_("Mine only"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audiences = {
            a.slug: a for a in Audience.objects.for_org(organisation).order_by("name")
        }
        self.fields["audience"].choices = [("", _("Every audience"))] + [
            (slug, a.name) for slug, a in self.audiences.items()
        ]
        owners = Person.objects.for_org(organisation).filter(
            pk__in=Audience.objects.for_org(organisation).values("owner_id")
        )
        self.owners = {str(p.pk): p for p in owners.order_by("name")}
        self.fields["owner"].choices = [("", _("Any owner"))] + [
            (pk, p.name) for pk, p in self.owners.items()
        ]

    def chosen(self) -> dict[str, Any]:
        """The valid filters as the selector takes them (an invalid one is left out)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "audience": self.audiences.get(data.get("audience") or ""),
            "owner": self.owners.get(data.get("owner") or ""),
            "mine": bool(data.get("mine")),
        }


class AlertNoteForm(BrowserForm):
    """The note kept with an acknowledgement or a resolution."""

    note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Note"),
        help_text=_("What you found or did. Kept in the alert's history."),
    )
