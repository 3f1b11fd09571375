"""Browser forms: they validate input for the current organisation; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from audiences.models import Audience, Organisation, Person
from audiences.selectors import member_users
from audiences.services import audience_slug_errors, audience_slug_from_name
from axreg.forms import BrowserModelForm


class AudienceForm(BrowserModelForm):
    """Create or edit an audience. Owners editing their own audience cannot reassign it."""

    class Meta:
        model = Audience
        fields = [
            "name",
            "slug",
            "kind",
            "kind_label",
            "stage",
            "description",
            "why_it_matters",
            "owner",
        ]
        labels = {
            "name": _("Name"),
            "slug": _("Slug"),
            "kind": pgettext_lazy("audience kind", "Kind"),
            "kind_label": _("Kind name (for 'Other')"),
            "stage": _("Lifecycle stage"),
            "description": _("Description"),
            "why_it_matters": _("Why it matters"),
            "owner": pgettext_lazy("experience owner", "Owner"),
        }
        help_texts = {
            "slug": _(
                "Used in addresses and by API clients. Leave blank to derive it from the name."
            ),
            "why_it_matters": _("What this audience means for the organisation's success."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "why_it_matters": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self, *args, organisation: Organisation, can_assign_owner: bool = True, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["slug"].required = False
        if self.instance.pk:
            # The slug is fixed once created: bookmarks and API clients address audiences by it.
            del self.fields["slug"]
        if can_assign_owner:
            self.fields["owner"].queryset = Person.objects.for_org(organisation)
            self.fields["owner"].empty_label = gettext("No owner yet")
        else:
            del self.fields["owner"]

    def clean(self) -> dict:
        # The slug rules are the service's (`audience_slug_errors`); they are checked here too
        # so that a slug error shows beside the form's other errors in one round trip.
        cleaned = super().clean()
        if "slug" in self.fields and not ({"name", "slug"} & set(self.errors)):
            typed = cleaned.get("slug")
            slug = typed or audience_slug_from_name(cleaned.get("name") or "")
            errors = audience_slug_errors(organisation=self.organisation, slug=slug)
            for error in errors:
                self._add_slug_error(error, slug=slug, typed=bool(typed))
            if not errors:
                cleaned["slug"] = slug
                self.instance.slug = slug
        return cleaned

    def _add_slug_error(self, error: ValidationError, *, slug: str, typed: bool) -> None:
        """The service's slug error, in the words of the field the person filled in."""
        if error.code == "taken" and not typed:  # no slug typed: speak of the name they typed
            self.add_error(
                "name",
                gettext(
                    "Another audience already has the address '%(slug)s' made from this "
                    "name: choose another name, or give this one a different slug."
                )
                % {"slug": slug},
            )
        elif error.code == "reserved":
            self.add_error(
                "slug",
                gettext("'%(slug)s' is reserved for a page; choose another slug.") % {"slug": slug},
            )
        else:
            self.add_error("slug", error)


class PersonForm(BrowserModelForm):
    """A person who can own audiences; the optional user must be a member of the organisation."""

    class Meta:
        model = Person
        fields = ["name", "email", "title", "department", "user"]
        labels = {
            "name": _("Name"),
            "email": _("Email"),
            "title": pgettext_lazy("job title", "Title"),
            "department": _("Department"),
            "user": _("Linked user account"),
        }
        help_texts = {"user": _("Link a member so they can edit the audiences this person owns.")}

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["user"].queryset = member_users(organisation=organisation)
        self.fields["user"].label_from_instance = lambda user: user.email
        self.fields["user"].empty_label = gettext("Not linked")

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        taken = Person.objects.for_org(self.organisation).filter(email__iexact=email)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(
                gettext("Someone in this organisation already has this e-mail.")
            )
        return email


class EmailAuthenticationForm(AuthenticationForm):
    """Sign-in by e-mail: Django's form would say "username", a word this product never uses."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct e-mail address and password. The password is case-sensitive."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = gettext("E-mail")
