"""The audience filters with `?liability=yes|no`, for the registry page and the API.

Liability reads all three apps, so its filter is added here to `audiences.filters.AudienceFilter`
(and to the API's variant of it); the rule itself is `liability.audiences_by_liability`.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audiences.filters import YES_NO, AudienceFilter
from measurements.liability import audiences_by_liability

# The audience filters' fields with `liability` in its place, before `archived`.
REGISTRY_FIELDS = ["q", "kind", "stage", "owner", "ranked", "liability", "archived"]


def _by_liability(queryset: QuerySet, name: str, value: str) -> QuerySet:
    return audiences_by_liability(queryset, liable=value == "yes")


def liability_filter() -> django_filters.ChoiceFilter:
    """The `liability` filter: the audiences that are (`yes`) or are not (`no`) a liability."""
    return django_filters.ChoiceFilter(
        choices=YES_NO,
        method=_by_liability,
        label=_("Operational liability"),
        empty_label=pgettext_lazy("yes or no filter", "Either"),
    )


class RegistryFilter(AudienceFilter):
    """The registry list's filters: the audience filters and operational liability."""

    liability = liability_filter()

    class Meta(AudienceFilter.Meta):
        fields = REGISTRY_FIELDS
