"""`|lower`, `|upper` and `|capfirst` for every template (settings.TEMPLATES "builtins"),
casing as the active language does: Turkish "i" upper-cases to "İ", "I" lower-cases to "ı"."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import stringfilter

from axreg import text

register = template.Library()


@register.filter(is_safe=True)
@stringfilter
def lower(value: str) -> str:
    return text.lower(value)


@register.filter(is_safe=True)
@stringfilter
def upper(value: str) -> str:
    return text.upper(value)


@register.filter(is_safe=True)
@stringfilter
def capfirst(value: str) -> str:
    return text.capfirst(value)
