"""Who may do what: lead / owner of this audience / owner of another / viewer / outsider."""

import json

import pytest
from django.urls import reverse

from audiences.models import Audience
from tests.factories import PersonFactory

EDIT = {"name": "Renamed", "kind": "parent", "stage": "current", "kind_label": ""}


def edit(client, audience, **extra):
    return client.post(reverse("audiences:edit", args=[audience.slug]), {**EDIT, **extra})


def test_a_lead_edits_any_audience(lead_client, unowned_audience):
    assert edit(lead_client, unowned_audience).status_code == 302
    unowned_audience.refresh_from_db()
    assert unowned_audience.name == "Renamed"


def test_an_owner_edits_the_audience_they_own(owner_client, owned_audience):
    assert edit(owner_client, owned_audience).status_code == 302
    owned_audience.refresh_from_db()
    assert owned_audience.name == "Renamed"


def test_an_owner_cannot_reassign_their_audience(owner_client, owned_audience, org):
    other = PersonFactory(organisation=org)
    edit(owner_client, owned_audience, owner=other.pk)
    owned_audience.refresh_from_db()
    assert owned_audience.owner.email == "owner@example.org"
    page = owner_client.get(reverse("audiences:edit", args=[owned_audience.slug]))
    assert 'name="owner"' not in page.content.decode()


def test_an_owner_cannot_edit_an_audience_someone_else_owns(owner_client, unowned_audience):
    assert edit(owner_client, unowned_audience).status_code == 403
    assert (
        owner_client.get(reverse("audiences:edit", args=[unowned_audience.slug])).status_code == 403
    )
    unowned_audience.refresh_from_db()
    assert unowned_audience.name == "Teachers"


@pytest.mark.parametrize(
    ("url_name", "args", "data"),
    [
        ("audiences:create", [], {"name": "New", "kind": "customer", "stage": "current"}),
        ("audiences:edit", ["parents"], EDIT),
        ("audiences:archive", ["parents"], {}),
        ("audiences:restore", ["parents"], {}),
        ("audiences:rank_move", [], {"slug": "parents", "move": "add"}),
        ("audiences:person_create", [], {"name": "X", "email": "x@example.org"}),
    ],
)
def test_a_viewer_changes_nothing(viewer_client, owned_audience, url_name, args, data):
    response = viewer_client.post(reverse(url_name, args=args), data)
    assert response.status_code == 403
    owned_audience.refresh_from_db()
    assert (owned_audience.name, owned_audience.rank, owned_audience.archived) == (
        "Parents",
        None,
        False,
    )
    assert Audience.all_orgs.count() == 1


def test_a_viewer_cannot_save_the_top_ten(viewer_client, owned_audience):
    response = viewer_client.post(
        reverse("audiences:rank"), json.dumps({"order": ["parents"]}), "application/json"
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "client_fixture", ["owner_client", "viewer_client"], ids=["owner", "viewer"]
)
def test_only_a_lead_ranks_archives_or_adds(request, client_fixture, owned_audience):
    client = request.getfixturevalue(client_fixture)
    assert client.post(reverse("audiences:archive", args=["parents"])).status_code == 403
    assert (
        client.post(reverse("audiences:rank_move"), {"slug": "parents", "move": "add"}).status_code
        == 403
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("audiences:home"),
        reverse("audiences:list"),
        reverse("audiences:ranking"),
        reverse("audiences:people"),
        reverse("audiences:detail", args=["parents"]),
    ],
)
def test_a_viewer_sees_no_edit_controls(viewer_client, owned_audience, unowned_audience, url):
    body = viewer_client.get(url).content.decode()
    for control in [
        "Add an audience",
        "Add a person",
        "Move up",
        "Add to top ten",
        "Remove from top ten",
        ">Edit<",
        ">Archive<",
        "drag-handle",
        "ranking.js",
    ]:
        assert control not in body, control


def test_an_owner_sees_edit_only_on_their_own_audience(
    owner_client, owned_audience, unowned_audience
):
    own = owner_client.get(reverse("audiences:detail", args=["parents"])).content.decode()
    other = owner_client.get(reverse("audiences:detail", args=["teachers"])).content.decode()
    assert reverse("audiences:edit", args=["parents"]) in own
    assert reverse("audiences:edit", args=["teachers"]) not in other
    assert ">Archive<" not in own


def test_a_lead_sees_the_ranking_controls(lead_client, owned_audience):
    body = lead_client.get(reverse("audiences:ranking")).content.decode()
    assert "Add to top ten" in body and "ranking.js" in body


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "audiences:detail"),
        ("get", "audiences:edit"),
        ("post", "audiences:edit"),
        ("post", "audiences:archive"),
        ("post", "audiences:restore"),
    ],
)
def test_another_organisations_audience_answers_404(
    outsider_client, owned_audience, method, url_name
):
    response = getattr(outsider_client, method)(reverse(url_name, args=[owned_audience.slug]), EDIT)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Parents" not in body and "Olive Owner" not in body
    owned_audience.refresh_from_db()
    assert owned_audience.name == "Parents" and not owned_audience.archived


def test_another_organisations_person_answers_404(outsider_client, owner_person):
    url = reverse("audiences:person_edit", args=[owner_person.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url, {"name": "Taken", "email": "t@example.org"}).status_code == 404
    owner_person.refresh_from_db()
    assert owner_person.name == "Olive Owner"


def test_pages_show_none_of_another_organisations_data(
    outsider_client, owned_audience, unowned_audience, foreign_audience
):
    for url_name in ["audiences:home", "audiences:list", "audiences:ranking", "audiences:people"]:
        body = outsider_client.get(reverse(url_name) + "?archived=include").content.decode()
        for name in ["Parents", "Teachers", "Olive Owner", "Riverside"]:
            assert name not in body, (url_name, name)


def test_another_organisations_audience_cannot_be_ranked(outsider_client, owned_audience):
    response = outsider_client.post(
        reverse("audiences:rank"),
        json.dumps({"order": ["parents"]}),
        "application/json",
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    owned_audience.refresh_from_db()
    assert owned_audience.rank is None


def test_an_owner_cannot_be_a_person_of_another_organisation(
    lead_client, unowned_audience, other_org
):
    stranger = PersonFactory(organisation=other_org, name="Stranger")
    response = edit(lead_client, unowned_audience, owner=stranger.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    unowned_audience.refresh_from_db()
    assert unowned_audience.owner is None
