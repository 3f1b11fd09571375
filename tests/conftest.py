"""Shared fixtures: one organisation with a lead, an owner and a viewer, and an outsider.

Under CI (CI=true) a skipped test fails the run: a skip there means a missing service.
"""

import os

import pytest

from audiences.models import Role
from tests.factories import (
    PASSWORD,
    AudienceFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"
_skipped: list[str] = []


def pytest_runtest_logreport(report):
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if IN_CI and _skipped and session.exitstatus == 0:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter):
    if IN_CI and _skipped:
        terminalreporter.write_line(
            f"CI=true: {len(_skipped)} skipped test(s) count as failures "
            "(a service or browser is missing): " + ", ".join(_skipped[:10]),
            red=True,
        )


def pytest_configure(config):
    """Tests count in process memory: one process, and cache.clear() needs no database.
    tests/faults/test_shared_limits.py runs real gunicorn workers on the real caches."""
    from django.conf import settings

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Sign-in lockouts and API throttles count in the cache; each test starts from zero."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """A test that activates Korean or Turkish leaves the next one in the default language."""
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture
def org(db):
    return OrganisationFactory(name="Riverside School District", slug="riverside")


@pytest.fixture
def other_org(db):
    return OrganisationFactory(name="Acme SaaS", slug="acme")


@pytest.fixture
def lead(org):
    return MembershipFactory(
        organisation=org,
        role=Role.LEAD,
        user__email="lead@example.org",
        user__username="lead@example.org",
    ).user


@pytest.fixture
def owner_person(org):
    """The person who owns `owned_audience`, linked to the `owner` user."""
    return PersonFactory(organisation=org, name="Olive Owner", email="owner@example.org")


@pytest.fixture
def owner(org, owner_person):
    user = MembershipFactory(
        organisation=org,
        role=Role.OWNER,
        user__email="owner@example.org",
        user__username="owner@example.org",
    ).user
    owner_person.user = user
    owner_person.save()
    return user


@pytest.fixture
def viewer(org):
    return MembershipFactory(
        organisation=org,
        role=Role.VIEWER,
        user__email="viewer@example.org",
        user__username="viewer@example.org",
    ).user


@pytest.fixture
def outsider(other_org):
    """A lead of another organisation."""
    return MembershipFactory(
        organisation=other_org,
        role=Role.LEAD,
        user__email="outsider@example.org",
        user__username="outsider@example.org",
    ).user


@pytest.fixture
def owned_audience(org, owner, owner_person):
    return AudienceFactory(
        organisation=org, name="Parents", slug="parents", kind="parent", owner=owner_person
    )


@pytest.fixture
def unowned_audience(org):
    return AudienceFactory(organisation=org, name="Teachers", slug="teachers", kind="employee")


@pytest.fixture
def foreign_audience(other_org):
    return AudienceFactory(organisation=other_org, name="Customers", slug="customers")


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def lead_client(client, lead):
    return _client_for(client, lead)


@pytest.fixture
def owner_client(client, owner):
    return _client_for(client, owner)


@pytest.fixture
def viewer_client(client, viewer):
    return _client_for(client, viewer)


@pytest.fixture
def outsider_client(client, outsider):
    return _client_for(client, outsider)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(autouse=True)
def _celery_eager(request, settings):
    """Tasks run in process unless a test is marked `worker`: CI sets CELERY_BROKER_URL for the
    whole run, which would otherwise send every after-commit enqueue to Redis."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from axreg.celery import app

    # Eager apply_async still takes a producer from the app's pool (Celery 5.3+); a test that
    # stopped a broker leaves that pool closed ("Acquire on closed pool"), and an after-commit
    # enqueue in the next test would then be dropped. Start each test with fresh pools.
    app._pool = None
    app.amqp._producer_pool = None
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True
    previous = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
    # Eager apply_async sets and restores a process-global "joins would block" flag; threads
    # running eager tasks at once can leave it set, and a later test's result.get() refuses.
    from celery.result import _set_task_join_will_block

    _set_task_join_will_block(False)
