"""The small-group privacy rule, in one place for the dashboard, the API and the CSV export.

Employees and candidates are colleagues: in a small group, a comment, a pseudonymous
respondent id or the exact minute of an answer points at one person. So, per metric
definition and calendar month of the organisation (its "group"):

- a comment shows only when the group holds at least `min_group_size` comments
  (a comment hides among other comments);
- the respondent id and the exact time show only when the group holds at least
  `min_group_size` responses (an answer hides among other answers); otherwise the time is
  cut to the organisation's calendar day;
- a breakdown cell shows only over at least `min_group_size` responses.

What "carries a comment" means is decided here once (`carries_comment`, and
`carries_comment_q` for SQL): the comment holds at least one letter or digit, in any script.
" ", a no-break space, a tab, "." or "-" say nothing: they neither count towards the
minimum (four of them would otherwise unlock the one real comment of a small group) nor make a
follow-up. A respondent is an id: ingestion stores it stripped, so any non-empty one counts.

`min_group_size` is the definition's own, or 5 for employee and candidate audiences, or 1
(nothing withheld). The rule is the same for every role and every API key: the people the
numbers are about do not become less identifiable because the reader is an integration.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Lookup, Q
from django.utils.translation import ngettext

from audiences.models import AudienceKind
from measurements.models import MetricDefinition, Response

PRIVATE_KINDS = {AudienceKind.EMPLOYEE, AudienceKind.CANDIDATE}


def carries_comment(text: str | None) -> bool:
    """Whether a comment says anything: at least one letter or digit (Unicode, any script)."""
    return bool(text) and any(ch.isalnum() for ch in text)


class _CarriesText(Lookup):
    """`carries_comment` in SQL. PostgreSQL's [[:alnum:]] follows the database's character
    classes (Unicode under C.UTF-8 or a UTF-8 locale; ASCII only under plain "C", which withholds
    more, never less); SQLite's REGEXP is Python's `re`, where [^\\W_] is a letter or digit."""

    lookup_name = "carries_text"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} ~ %s", [*params, "[[:alnum:]]"]
        return f"{lhs} REGEXP %s", [*params, r"[^\W_]"]


def carries_comment_q(prefix: str = "") -> Q:
    """`carries_comment` as a filter on responses (`prefix` e.g. "response__")."""
    return Q(_CarriesText(F(f"{prefix}comment"), True))


def carries_respondent_q(prefix: str = "") -> Q:
    """A stored respondent id counts when it is not empty (ingestion strips it)."""
    return ~Q(**{f"{prefix}respondent": ""})


def min_group_size(definition: MetricDefinition) -> int:
    """Smallest group a breakdown cell or comment list may show: the definition's, or 5 for
    employee and candidate audiences (they are colleagues: small groups identify people), or 1."""
    if definition.min_group_size:
        return definition.min_group_size
    return 5 if definition.audience.kind in PRIVATE_KINDS else 1


def protected(definition: MetricDefinition) -> bool:
    """True when the rule can withhold anything for this definition."""
    return min_group_size(definition) > 1


def protected_q(prefix: str = "") -> Q:
    """`protected()` as a query filter on definitions (`prefix` e.g. "definition__")."""
    own = Q(**{f"{prefix}min_group_size__gt": 1})
    default = Q(**{f"{prefix}min_group_size__isnull": True}) | Q(**{f"{prefix}min_group_size": 0})
    return own | (default & Q(**{f"{prefix}audience__kind__in": list(PRIVATE_KINDS)}))


def cell_shown(definition: MetricDefinition, n: int) -> bool:
    """A breakdown cell over `n` responses may show its value."""
    return n >= min_group_size(definition)


@dataclass(frozen=True)
class Group:
    """How many responses, and how many of them with a comment, one group holds."""

    responses: int = 0
    comments: int = 0


def comments_shown(definition: MetricDefinition, group: Group) -> bool:
    return group.comments >= min_group_size(definition)


def identities_shown(definition: MetricDefinition, group: Group) -> bool:
    """Respondent ids and exact times of the group's answers may show."""
    return group.responses >= min_group_size(definition)


def shortfall(definition: MetricDefinition, group: Group) -> str:
    """What the group has too few of, in words, by the rule above: "fewer than 5 answers"
    (which withholds everything), else "fewer than 5 comments" (the comments only); "" when
    nothing is withheld. A reason that names answers when the group had enough answers but too
    few comments would tell the reader the wrong thing to wait for."""
    minimum = min_group_size(definition)
    if not identities_shown(definition, group):
        return ngettext(
            "fewer than %(minimum)s answer", "fewer than %(minimum)s answers", minimum
        ) % {"minimum": minimum}
    if not comments_shown(definition, group):
        return ngettext(
            "fewer than %(minimum)s comment", "fewer than %(minimum)s comments", minimum
        ) % {"minimum": minimum}
    return ""


def month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


GroupKey = tuple[int, date]  # (definition id, first day of the month)


def groups(*, organisation_id: int, keys: set[GroupKey]) -> dict[GroupKey, Group]:
    """The size of each (definition, month) group asked for. One query (none if no keys)."""
    if not keys:
        return {}
    wanted = Q()
    for definition_id, month in keys:
        wanted |= Q(
            definition_id=definition_id, local_date__gte=month, local_date__lt=_next_month(month)
        )
    rows = (
        Response.objects.for_org(organisation_id)
        .filter(wanted)
        .values("definition_id", "local_date")
        .annotate(n=Count("id"), commented=Count("id", filter=carries_comment_q()))
        .order_by()
    )
    totals: dict[GroupKey, list[int]] = defaultdict(lambda: [0, 0])
    for row in rows:
        total = totals[(row["definition_id"], month_of(row["local_date"]))]
        total[0] += row["n"]
        total[1] += row["commented"]
    return {key: Group(*totals[key]) if key in totals else Group() for key in keys}


def month_keys(definitions: list[MetricDefinition], start: date, end: date) -> set[GroupKey]:
    """The groups of the protected `definitions` that overlap the days [start, end)."""
    months = []
    month = month_of(start)
    while month < end:
        months.append(month)
        month = _next_month(month)
    return {(d.pk, m) for d in definitions if protected(d) for m in months}


def visible_comments(
    definition: MetricDefinition, rows: list[dict[str, Any]], sizes: dict[GroupKey, Group]
) -> list[dict[str, Any]]:
    """The comment rows (with `local_date`) of `definition` whose group may show them."""
    if not protected(definition):
        return rows
    key = definition.pk
    return [
        row
        for row in rows
        if comments_shown(definition, sizes.get((key, month_of(row["local_date"])), Group()))
    ]


def redact_response_items(
    responses: list[Response], items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """API items (rendered from `responses`, same order) with what the rule withholds removed:
    `comment` and `respondent` null, `responded_at` the organisation's calendar day."""
    guarded = [r for r in responses if protected(r.definition)]
    if not guarded:
        return items
    sizes = groups(
        organisation_id=guarded[0].organisation_id,
        keys={(r.definition_id, month_of(r.local_date)) for r in guarded},
    )
    out = []
    for response, item in zip(responses, items, strict=True):
        if protected(response.definition):
            group = sizes[(response.definition_id, month_of(response.local_date))]
            item = dict(item)
            if not comments_shown(response.definition, group):
                item["comment"] = None
            if not identities_shown(response.definition, group):
                item["respondent"] = None
                item["responded_at"] = response.local_date.isoformat()
        out.append(item)
    return out
