"""The top ten: one service rewrites ranks atomically, refuses what cannot be stored."""

import json
import threading

import pytest
from django.db import connection
from django.urls import reverse

from audiences.models import Audience, AuditEntry
from audiences.services import (
    RankingError,
    audience_archive,
    audience_rank_move,
    audience_ranking_set,
    audience_restore,
)
from tests.factories import AudienceFactory, OrganisationFactory


def ranks(org) -> list[tuple[str, int]]:
    return list(
        Audience.objects.for_org(org)
        .filter(rank__isnull=False)
        .order_by("rank")
        .values_list("slug", "rank")
    )


@pytest.fixture
def twelve(org):
    return [
        AudienceFactory(organisation=org, slug=f"a{i:02d}", name=f"A {i:02d}") for i in range(12)
    ]


def test_it_stores_the_order_as_ranks_one_to_n(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a03", "a01", "a07"], actor=lead)
    assert ranks(org) == [("a03", 1), ("a01", 2), ("a07", 3)]


def test_it_swaps_two_ranks_despite_the_unique_constraint(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02"], actor=lead)
    audience_ranking_set(organisation=org, ordered_slugs=["a02", "a01"], actor=lead)
    assert ranks(org) == [("a02", 1), ("a01", 2)]


def test_it_unranks_audiences_left_out_of_the_order(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02", "a03"], actor=lead)
    audience_ranking_set(organisation=org, ordered_slugs=["a03"], actor=lead)
    assert ranks(org) == [("a03", 1)]


def test_it_refuses_an_eleventh_and_names_it(org, lead, twelve):
    ten = [f"a{i:02d}" for i in range(10)]
    audience_ranking_set(organisation=org, ordered_slugs=ten, actor=lead)
    with pytest.raises(RankingError) as error:
        audience_ranking_set(organisation=org, ordered_slugs=[*ten, "a11"], actor=lead)
    assert error.value.messages == ["The top ten is full: remove an audience before adding A 11."]
    assert [slug for slug, _ in ranks(org)] == ten


def test_it_refuses_an_archived_audience(org, lead, twelve):
    Audience.all_orgs.filter(slug="a05").update(archived=True)
    with pytest.raises(RankingError, match="A 05 is archived"):
        audience_ranking_set(organisation=org, ordered_slugs=["a01", "a05"], actor=lead)
    assert ranks(org) == []


def test_it_refuses_duplicates_and_another_organisations_audience(org, lead, twelve, other_org):
    AudienceFactory(organisation=other_org, slug="theirs")
    with pytest.raises(RankingError, match="only one place"):
        audience_ranking_set(organisation=org, ordered_slugs=["a01", "a01"], actor=lead)
    with pytest.raises(RankingError, match="No audience 'theirs'"):
        audience_ranking_set(organisation=org, ordered_slugs=["a01", "theirs"], actor=lead)


def test_it_records_one_audit_entry_with_old_and_new_order(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02"], actor=lead)
    audience_ranking_set(organisation=org, ordered_slugs=["a02", "a01"], actor=lead)
    entry = AuditEntry.objects.for_org(org).filter(action="ranked").first()
    assert entry.changes == {"order": [["a01", "a02"], ["a02", "a01"]]}
    assert entry.actor_user == lead
    assert AuditEntry.objects.for_org(org).filter(action="ranked").count() == 2


def test_it_closes_the_gap_when_a_ranked_audience_is_archived(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02", "a03"], actor=lead)
    audience_archive(audience=Audience.all_orgs.get(slug="a02"), actor=lead)
    assert ranks(org) == [("a01", 1), ("a03", 2)]
    archived = Audience.all_orgs.get(slug="a02")
    assert archived.archived and archived.rank is None


def test_it_restores_without_re_ranking(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02"], actor=lead)
    audience = audience_archive(audience=Audience.all_orgs.get(slug="a01"), actor=lead)
    audience_restore(audience=audience, actor=lead)
    assert Audience.all_orgs.get(slug="a01").archived is False
    assert ranks(org) == [("a02", 1)]


def test_it_moves_up_down_out_and_in(org, lead, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02", "a03"], actor=lead)
    audience_rank_move(organisation=org, slug="a03", move="up", actor=lead)
    assert [s for s, _ in ranks(org)] == ["a01", "a03", "a02"]
    audience_rank_move(organisation=org, slug="a01", move="down", actor=lead)
    assert [s for s, _ in ranks(org)] == ["a03", "a01", "a02"]
    audience_rank_move(organisation=org, slug="a01", move="remove", actor=lead)
    assert [s for s, _ in ranks(org)] == ["a03", "a02"]
    audience_rank_move(organisation=org, slug="a09", move="add", actor=lead)
    assert ranks(org) == [("a03", 1), ("a02", 2), ("a09", 3)]


def test_the_page_saves_an_order_posted_as_json(lead_client, org, twelve):
    response = lead_client.post(
        reverse("audiences:rank"),
        json.dumps({"order": ["a02", "a01"]}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json()["order"] == ["a02", "a01"]
    page = lead_client.get(reverse("audiences:ranking")).content.decode()
    assert page.index('id="rank-a02"') < page.index('id="rank-a01"')


def test_the_page_refuses_an_eleventh_with_the_message_and_the_kept_order(lead_client, org, twelve):
    ten = [f"a{i:02d}" for i in range(10)]
    lead_client.post(reverse("audiences:rank"), json.dumps({"order": ten}), "application/json")
    response = lead_client.post(
        reverse("audiences:rank_move"), {"slug": "a10", "move": "add"}, follow=True
    )
    body = response.content.decode()
    assert "The top ten is full: remove an audience before adding A 10." in body
    assert [s for s, _ in ranks(org)] == ten


def test_the_move_buttons_work_without_javascript(lead_client, org, twelve):
    audience_ranking_set(organisation=org, ordered_slugs=["a01", "a02"], actor=None)
    response = lead_client.post(reverse("audiences:rank_move"), {"slug": "a02", "move": "up"})
    assert response.status_code == 302
    assert [s for s, _ in ranks(org)] == ["a02", "a01"]


def test_it_answers_a_malformed_body_with_400(lead_client, org):
    response = lead_client.post(reverse("audiences:rank"), "[1, 2]", "application/json")
    assert response.status_code == 400
    assert "order" in response.json()["error"]


def test_two_leads_reordering_at_once_leave_ranks_one_to_n_without_duplicates(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("Needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op).")
    org = OrganisationFactory()
    for i in range(10):
        AudienceFactory(organisation=org, slug=f"a{i}")
    orders = [[f"a{i}" for i in range(10)], [f"a{i}" for i in reversed(range(10))][:7]]
    start = threading.Barrier(2 * 5)
    errors: list[BaseException] = []

    def reorder(order: list[str]) -> None:
        try:
            start.wait()
            audience_ranking_set(organisation=org, ordered_slugs=order, actor=None)
        except BaseException as exc:  # a deadlock or integrity error would land here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=reorder, args=(orders[i % 2],)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    final = ranks(org)
    assert [rank for _, rank in final] == list(range(1, len(final) + 1))
    assert [slug for slug, _ in final] in orders
