"""What every browser form of the app shares, so that a new form gets it by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# HTML's date and time inputs hold only these (the "valid date/time string" of the HTML
# standard); any other value, such as the locale's 02/09/2024, is sanitised to "" by the
# browser, which then submits the field empty and a save silently clears it.
ISO_WIDGETS: tuple[tuple[type[forms.Widget], str, str], ...] = (
    (forms.DateTimeInput, "datetime-local", "%Y-%m-%dT%H:%M"),
    (forms.DateInput, "date", "%Y-%m-%d"),
    (forms.TimeInput, "time", "%H:%M"),
)


def use_iso_inputs(form: forms.BaseForm) -> None:
    """Render every date, datetime and time field as the browser's native input, ISO-valued."""
    for field in form.fields.values():
        widget = field.widget
        for widget_class, input_type, iso_format in ISO_WIDGETS:
            if isinstance(widget, widget_class):
                widget.input_type = input_type
                widget.format = iso_format
                break


# A free text (a stage's description, a touchpoint's lane, an opportunity's problem, a
# persona's words) is a few paragraphs; 50,000 characters of it is a paste gone wrong that
# widened every page it showed on. Form-level only: the columns stay unbounded text.
TEXT_MAX_LENGTH = 5000


class TextLengthValidator(MaxLengthValidator):
    """The length limit in words a person can act on, with the count they typed."""

    message = _("Keep it to %(limit_value)s characters or fewer (this has %(show_value)s).")

    def __call__(self, value: Any) -> None:
        if len(value) > self.limit_value:
            raise ValidationError(
                self.message
                % {
                    "limit_value": number_format(self.limit_value, force_grouping=True),
                    "show_value": number_format(len(value), force_grouping=True),
                },
                code=self.code,
            )


def limit_texts(form: forms.BaseForm) -> None:
    """Give every multi-line text a maximum length (its own, else `TEXT_MAX_LENGTH`), refused
    with the count and said in the help text, with `maxlength` for the browser."""
    for field in form.fields.values():
        if not (isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea)):
            continue
        limit = field.max_length or TEXT_MAX_LENGTH
        field.max_length = limit
        field.validators = [
            v for v in field.validators if not isinstance(v, MaxLengthValidator)
        ] + [TextLengthValidator(limit)]
        field.widget.attrs["maxlength"] = str(limit)
        words = gettext("Up to %(limit)s characters.") % {
            "limit": number_format(limit, force_grouping=True)
        }
        if words not in str(field.help_text or ""):
            field.help_text = f"{field.help_text or ''} {words}".strip()


class BrowserFormMixin:
    """Base of the app's forms: date and time values rendered as the browser can hold them,
    multi-line texts bounded (`limit_texts`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_iso_inputs(self)  # type: ignore[arg-type]
        limit_texts(self)  # type: ignore[arg-type]


class BrowserForm(BrowserFormMixin, forms.Form):
    pass


class BrowserModelForm(BrowserFormMixin, forms.ModelForm):
    pass


def save_through_service(form: forms.BaseForm, write: Callable[[dict[str, Any]], Any]) -> Any:
    """Validate `form`, then call the write service with its cleaned data.

    The service's ValidationError goes back onto the form, field by field (errors for fields
    the form lacks become form-wide errors). Returns the service's result, or None on error.
    """
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
        return None
