"""Reads for journey maps and personas, prefetched so a page costs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import PROTECT, RESTRICT, Count, Prefetch, QuerySet
from django.db.models.fields.reverse_related import ForeignObjectRel
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from audiences.models import Audience, Organisation
from journeys.models import Persona, Stage, Touchpoint


def journey_stages(
    *, audience: Audience, touchpoint_prefetches: Iterable[Prefetch | str] = ()
) -> QuerySet[Stage]:
    """The audience's stages in order, each with its touchpoints (in order) and their owners.

    `touchpoint_prefetches` adds what another app relates to each touchpoint (the journey map
    in measurements adds the metric definitions measured there).
    """
    touchpoints = (
        Touchpoint.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .select_related("owner")
        .prefetch_related(*touchpoint_prefetches)
        .order_by("position", "id")
    )
    return (
        Stage.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related(Prefetch("touchpoints", queryset=touchpoints))
        .order_by("position", "id")
    )


def audience_personas(*, audience: Audience) -> QuerySet[Persona]:
    """The audience's personas with their quotes and the stages and touchpoints they use."""
    return (
        Persona.objects.for_org(audience.organisation_id)
        .filter(audience=audience)
        .prefetch_related("quotes", "stages", "touchpoints")
    )


def touchpoint_list(
    *, organisation: Organisation, audience_slug: str | None = None
) -> QuerySet[Touchpoint]:
    """The organisation's touchpoints (optionally one audience's) in journey order, with the
    audience and stage each belongs to."""
    touchpoints = Touchpoint.objects.for_org(organisation).select_related("audience", "stage")
    if audience_slug is not None:
        touchpoints = touchpoints.filter(audience__slug=audience_slug)
    return touchpoints.order_by("audience__slug", "stage__position", "stage_id", "position", "id")


# How a count of each kind of stored row reads, by model label (whole phrases for translators:
# the count's place and the noun's form differ by language). Another kind falls back on its
# model's verbose names.
STORED_ROW_PHRASES = {
    "measurements.response": lambda n: ngettext("%(count)s response", "%(count)s responses", n),
    "measurements.supportcase": lambda n: ngettext(
        "%(count)s support case", "%(count)s support cases", n
    ),
}


@dataclass(frozen=True)
class StoredRows:
    """How many stored rows of one kind carry a touchpoint (2808, "response", "responses")."""

    n: int
    singular: str
    plural: str
    model: str = ""  # the model's label ("measurements.response")

    def __str__(self) -> str:
        count = number_format(self.n, force_grouping=True)
        phrase = STORED_ROW_PHRASES.get(self.model)
        if phrase is not None:
            return phrase(self.n) % {"count": count}
        return f"{count} {self.singular if self.n == 1 else self.plural}"


@dataclass(frozen=True)
class TouchpointCarried:
    """A touchpoint that stored rows carry, with how many of each kind."""

    touchpoint: Touchpoint
    rows: list[StoredRows]

    def describe(self) -> str:
        """'2,808 responses and 1 support case', for the refusals on the page and in the API."""
        parts = [str(r) for r in self.rows]
        if len(parts) == 1:
            return parts[0]
        return gettext("%(items)s and %(last)s") % {
            "items": ", ".join(parts[:-1]),
            "last": parts[-1],
        }


def _relations_that_keep_touchpoints() -> list[ForeignObjectRel]:
    """The foreign keys to Touchpoint whose rows must never lose it (declared PROTECT or
    RESTRICT: responses and support cases, in measurements, which journeys does not import).
    `include_hidden`: those keys have related_name "+", which `_meta.related_objects` skips."""
    return [
        rel
        for rel in Touchpoint._meta.get_fields(include_hidden=True)
        if isinstance(rel, ForeignObjectRel)
        and not rel.many_to_many
        and rel.on_delete in (PROTECT, RESTRICT)
    ]


def touchpoints_carried(*, touchpoints: QuerySet[Touchpoint]) -> list[TouchpointCarried]:
    """Which of these touchpoints (one organisation's) stored rows carry, in journey order;
    touchpoints nothing carries are left out.

    One grouped COUNT per relation, on its touchpoint index and scoped to the organisation:
    the rows themselves are never loaded (Django's deletion collector would load every one of
    them just to refuse).
    """
    touchpoint_rows = list(touchpoints.order_by("position", "pk"))
    if not touchpoint_rows:
        return []
    organisation_id = touchpoint_rows[0].organisation_id
    carried: dict[int, list[StoredRows]] = {}
    for rel in _relations_that_keep_touchpoints():
        key = rel.field.attname
        per_touchpoint = (
            rel.related_model.objects.for_org(organisation_id)
            .filter(**{f"{key}__in": [t.pk for t in touchpoint_rows]})
            .order_by()
            .values_list(key)
            .annotate(n=Count("pk"))
        )
        meta = rel.related_model._meta
        for touchpoint_id, n in per_touchpoint:
            carried.setdefault(touchpoint_id, []).append(
                StoredRows(
                    n, str(meta.verbose_name), str(meta.verbose_name_plural), meta.label_lower
                )
            )
    return [TouchpointCarried(t, carried[t.pk]) for t in touchpoint_rows if t.pk in carried]
