"""The leads' webhook forms; the service validates the URL (scheme, private addresses)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from axreg.forms import BrowserForm
from webhooks.addresses import CREDENTIALS_MESSAGE, url_has_credentials, url_without_credentials
from webhooks.models import BodyFormat, EventType


class EndpointForm(BrowserForm):
    url = forms.CharField(
        label="URL",  # an acronym, the same in every language
        max_length=500,
        widget=forms.URLInput(attrs={"size": 60, "placeholder": "https://"}),
        help_text=_(
            "Where the events are sent (https:// preferred). Addresses inside your network "
            "are refused."
        ),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What receives them, e.g. “Helpdesk”."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=EventType.choices, widget=forms.CheckboxSelectMultiple
    )
    format = forms.ChoiceField(
        label=pgettext_lazy("webhook body format", "Body"),
        choices=BodyFormat.choices,
        initial=BodyFormat.STANDARD,
        widget=forms.RadioSelect,
        help_text=_(
            "Slack-compatible sends one line of text, for a chat channel's incoming webhook."
        ),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url_has_credentials(url):
            # Refused, and not shown back either: the re-rendered field loses the password.
            self.data = self.data.copy()
            self.data[self.add_prefix("url")] = url_without_credentials(url)
            raise forms.ValidationError(CREDENTIALS_MESSAGE, code="credentials")
        return url


class EndpointEditForm(EndpointForm):
    active = forms.BooleanField(
        label=pgettext_lazy("webhook switch", "Active"),
        required=False,
        help_text=_("Switched off, nothing is sent; owed deliveries wait."),
    )
