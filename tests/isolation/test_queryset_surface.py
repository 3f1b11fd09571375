"""Every method Django's QuerySet offers is accounted for by the fail-closed guard.

The guard in `audiences.models.OrgQuerySet` holds only if every way a queryset can reach the
database passes through it. The tables below sort Django's whole public QuerySet surface,
found by inspecting the class, into what reads or changes rows (must refuse an unscoped
queryset), what derives a new queryset (must keep the scope it came from), what inserts
(allowed: a new row names its organisation) and what runs no query. A Django upgrade that
adds, renames or removes a method fails the first test until the method is sorted here.
"""

from __future__ import annotations

import asyncio
import copy
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.db import connections, models
from django.db.models import Count, Q

from audiences.models import Audience, Organisation, OrgQuerySet, UnscopedQueryError

Run = Callable[[models.QuerySet, Audience], Any]


def _run(coroutine: Any) -> Any:
    return asyncio.run(_closing_after(coroutine))


async def _closing_after(coroutine: Any) -> Any:
    # The async methods run their sync twin in sync_to_async's worker thread, and some open a
    # connection there before the guard raises (update_or_create starts a transaction first).
    try:
        return await coroutine
    finally:
        await sync_to_async(connections.close_all)()


async def _first_async(queryset: models.QuerySet) -> Any:
    async for row in queryset:
        return row
    return None


async def _first_chunked(queryset: models.QuerySet) -> Any:
    async for row in queryset.aiterator():
        return row
    return None


# Reads or changes stored rows: an unscoped queryset must raise before any SQL runs.
EVALUATING: dict[str, Run] = {
    "__iter__": lambda qs, row: list(qs),
    "__len__": lambda qs, row: len(qs),
    "__bool__": lambda qs, row: bool(qs),
    "__getitem__": lambda qs, row: qs.order_by("pk")[0],
    "__getstate__": lambda qs, row: pickle.dumps(qs),  # pickling caches the rows first
    "__repr__": lambda qs, row: repr(qs),
    "__aiter__": lambda qs, row: _run(_first_async(qs)),
    "iterator": lambda qs, row: list(qs.iterator()),
    "aiterator": lambda qs, row: _run(_first_chunked(qs)),
    "count": lambda qs, row: qs.count(),
    "acount": lambda qs, row: _run(qs.acount()),
    "exists": lambda qs, row: qs.exists(),
    "aexists": lambda qs, row: _run(qs.aexists()),
    "contains": lambda qs, row: qs.contains(row),
    "acontains": lambda qs, row: _run(qs.acontains(row)),
    "aggregate": lambda qs, row: qs.aggregate(n=Count("pk")),
    "aaggregate": lambda qs, row: _run(qs.aaggregate(n=Count("pk"))),
    "in_bulk": lambda qs, row: qs.in_bulk(),
    "ain_bulk": lambda qs, row: _run(qs.ain_bulk()),
    "explain": lambda qs, row: qs.explain(),
    "aexplain": lambda qs, row: _run(qs.aexplain()),
    "get": lambda qs, row: qs.get(pk=row.pk),
    "aget": lambda qs, row: _run(qs.aget(pk=row.pk)),
    "first": lambda qs, row: qs.first(),
    "afirst": lambda qs, row: _run(qs.afirst()),
    "last": lambda qs, row: qs.last(),
    "alast": lambda qs, row: _run(qs.alast()),
    "earliest": lambda qs, row: qs.earliest("pk"),
    "aearliest": lambda qs, row: _run(qs.aearliest("pk")),
    "latest": lambda qs, row: qs.latest("pk"),
    "alatest": lambda qs, row: _run(qs.alatest("pk")),
    "get_or_create": lambda qs, row: qs.get_or_create(pk=row.pk),
    "aget_or_create": lambda qs, row: _run(qs.aget_or_create(pk=row.pk)),
    "update_or_create": lambda qs, row: qs.update_or_create(pk=row.pk),
    "aupdate_or_create": lambda qs, row: _run(qs.aupdate_or_create(pk=row.pk)),
    "update": lambda qs, row: qs.update(name="moved"),
    "aupdate": lambda qs, row: _run(qs.aupdate(name="moved")),
    "bulk_update": lambda qs, row: qs.bulk_update([row], ["name"]),
    "abulk_update": lambda qs, row: _run(qs.abulk_update([row], ["name"])),
    "delete": lambda qs, row: qs.delete(),
    "adelete": lambda qs, row: _run(qs.adelete()),
}

# Derives a new queryset: it must be exactly as scoped as the one it came from.
CHAINING: dict[str, Run] = {
    "all": lambda qs, row: qs.all(),
    "filter": lambda qs, row: qs.filter(pk__gt=0),
    "exclude": lambda qs, row: qs.exclude(pk=0),
    "complex_filter": lambda qs, row: qs.complex_filter(Q(pk__gt=0)),
    "order_by": lambda qs, row: qs.order_by("-pk"),
    "distinct": lambda qs, row: qs.distinct(),
    "reverse": lambda qs, row: qs.reverse(),
    "values": lambda qs, row: qs.values("pk"),
    "values_list": lambda qs, row: qs.values_list("pk", flat=True),
    "dates": lambda qs, row: qs.dates("created_at", "day"),
    "datetimes": lambda qs, row: qs.datetimes("created_at", "day"),
    "annotate": lambda qs, row: qs.annotate(n=Count("stages")),
    "alias": lambda qs, row: qs.alias(n=Count("stages")).filter(n__gte=0),
    "select_related": lambda qs, row: qs.select_related("organisation"),
    "prefetch_related": lambda qs, row: qs.prefetch_related("stages"),
    "select_for_update": lambda qs, row: qs.select_for_update(),
    "defer": lambda qs, row: qs.defer("name"),
    "only": lambda qs, row: qs.only("name"),
    "using": lambda qs, row: qs.using("default"),
    "extra": lambda qs, row: qs.extra(where=["1 = 1"]),
    "union": lambda qs, row: qs.order_by().union(qs.order_by()),
    "intersection": lambda qs, row: qs.order_by().intersection(qs.order_by()),
    "difference": lambda qs, row: qs.order_by().difference(qs.order_by().filter(pk=0)),
    "__and__": lambda qs, row: qs & qs,
    "__or__": lambda qs, row: qs | qs,
    "__xor__": lambda qs, row: qs ^ qs.filter(pk=0),
    "__getitem__ slice": lambda qs, row: qs.order_by("pk")[:5],
    "__deepcopy__": lambda qs, row: copy.deepcopy(qs),
}
# An empty queryset reads nothing, so it is scoped whatever it came from.
EMPTY = {"none"}

# Inserts rows: allowed unscoped, because every new row names its own organisation.
CREATING = {"create", "acreate", "bulk_create", "abulk_create"}

# Runs no query of its own. `resolve_expression` compiles the queryset into another query
# (`filter(x__in=qs)`, `Exists(qs)`); that outer query is the one that runs, and is guarded.
# `raw` runs the SQL its caller wrote, WHERE clause included: the caller scopes it.
NO_QUERY = {
    "__init__",
    "__class_getitem__",
    "__setstate__",
    "as_manager",
    "resolve_expression",
    "raw",
    "query",
    "ordered",
    "db",
}
NOT_METHODS = {"__doc__", "__module__"}


def _public_surface() -> set[str]:
    names = set()
    for klass in models.QuerySet.__mro__[:-1]:  # Django's classes, not `object`
        for name in vars(klass):
            if not name.startswith("_") or (name.startswith("__") and name.endswith("__")):
                names.add(name)
    return names - NOT_METHODS - {"__dict__", "__weakref__", "__init_subclass__"}


def test_it_sorts_every_public_queryset_method_of_this_django():
    chaining = {name.split(" ")[0] for name in CHAINING}
    sorted_names = set(EVALUATING) | chaining | EMPTY | CREATING | NO_QUERY
    assert _public_surface() - sorted_names == set(), "new in Django: sort it here"
    assert sorted_names - _public_surface() == set(), "gone from Django: drop it here"


@pytest.fixture
def rows(org: Organisation, other_org: Organisation) -> tuple[Audience, Audience]:
    mine = Audience.all_orgs.create(organisation=org, name="Ours", slug="ours", kind="customer")
    theirs = Audience.all_orgs.create(
        organisation=other_org, name="Theirs", slug="theirs", kind="customer"
    )
    return mine, theirs


def _stored() -> list[dict[str, Any]]:
    return list(Audience.all_orgs.order_by("pk").values())


@pytest.mark.parametrize("name", EVALUATING)
def test_it_refuses_each_reading_or_writing_method_unscoped(rows, name):
    mine, _ = rows
    before = _stored()
    with pytest.raises(UnscopedQueryError, match=r"Audience\.objects\.for_org"):
        EVALUATING[name](Audience.objects.all(), mine)
    assert _stored() == before


# The async variants run their sync twin in a worker thread (`sync_to_async`), which cannot see
# the test transaction's rows; the refusal above covers them, the sync twin covers the rest.
ASYNC = {name for name in EVALUATING if name.startswith("a") and name[1:] in EVALUATING}
SYNC = [name for name in EVALUATING if name not in ASYNC | {"__aiter__"}]


@pytest.mark.parametrize("name", SYNC)
def test_it_runs_each_reading_or_writing_method_scoped(rows, name):
    # The guard must not break the scoped call: Django makes internal copies of the queryset
    # inside several of these (latest, in_bulk, delete, ...), and each copy keeps the scope.
    mine, theirs = rows
    theirs_before = Audience.all_orgs.filter(pk=theirs.pk).values().get()
    EVALUATING[name](Audience.objects.for_org(mine.organisation), mine)
    assert Audience.all_orgs.filter(pk=theirs.pk).values().get() == theirs_before


@pytest.mark.parametrize("name", CHAINING)
def test_it_keeps_the_scope_through_each_deriving_method(rows, name):
    mine, _ = rows
    scoped = CHAINING[name](Audience.objects.for_org(mine.organisation), mine)
    assert isinstance(scoped, OrgQuerySet)
    assert len(list(scoped)) == 1  # only this organisation's audience (or its one date)
    unscoped = CHAINING[name](Audience.objects.all(), mine)
    with pytest.raises(UnscopedQueryError):
        list(unscoped)


def test_it_treats_an_empty_queryset_as_scoped(rows):
    assert list(Audience.objects.none()) == []
    assert list(Audience.objects.all().none()) == []


@pytest.mark.parametrize("name", ["create", "bulk_create"])  # the async twins wrap these
def test_it_lets_rows_be_created_unscoped_because_each_names_its_organisation(org, name):
    queryset = Audience.objects.all()
    fields = {"organisation": org, "name": name, "slug": name.replace("_", "-"), "kind": "customer"}
    if name == "create":
        queryset.create(**fields)
    else:
        queryset.bulk_create([Audience(**fields)])
    assert Audience.objects.for_org(org).filter(slug=fields["slug"]).count() == 1


# The private QuerySet methods the guard overrides (see OrgQuerySet for why each one). If
# Django renamed one, the override would quietly stop being called: fail here instead.
PRIVATE_HOOKS = {"_clone", "_fetch_all", "_combinator_query", "_update", "_raw_delete"}


def test_it_overrides_only_private_methods_django_still_has():
    own = {"_check_scoped", "_scoped", "_combined"}
    private = {
        name
        for name, value in vars(OrgQuerySet).items()
        if name.startswith("_") and not name.startswith("__") and callable(value)
    }
    assert private - own == PRIVATE_HOOKS
    for name in PRIVATE_HOOKS:
        assert callable(getattr(models.QuerySet, name, None)), name
