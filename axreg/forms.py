"""What every browser form of the app shares, so that a new form gets it by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

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


class BrowserFormMixin:
    """Base of the app's forms: date and time values rendered as the browser can hold them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_iso_inputs(self)  # type: ignore[arg-type]


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
