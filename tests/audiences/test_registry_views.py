"""The registry pages as a lead sees them: home checklist, list and filters, forms, people."""

import html
import re

import pytest
from django.urls import reverse

from audiences.models import Audience, AuditEntry, Person
from audiences.services import audience_ranking_set
from measurements.models import MeasurementPlan
from tests.factories import AudienceFactory, MembershipFactory, PersonFactory


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def field_error(response, field: str) -> str:
    """The error paragraph rendered next to a field (see templates/_field.html)."""
    match = re.search(
        rf'<div class="error" id="id_{field}_error"><p>([^<]*)</p>', response.content.decode()
    )
    return html.unescape(match.group(1)) if match else ""


# --- home -----------------------------------------------------------------------------------


def test_home_shows_how_far_the_four_steps_are(lead_client, org, lead):
    people = [PersonFactory(organisation=org) for _ in range(2)]
    audiences = [AudienceFactory(organisation=org, slug=f"a{i}") for i in range(12)]
    for audience, person in zip(audiences[:2], people, strict=True):
        audience.owner = person
        audience.save()
    MeasurementPlan.objects.create(
        organisation=org, audience=audiences[0], process="Quarterly survey", methods=["interviews"]
    )
    audience_ranking_set(organisation=org, ordered_slugs=["a0", "a1", "a2"], actor=lead)
    Audience.all_orgs.filter(slug="a11").update(archived=True)

    page = text(lead_client.get(reverse("audiences:home")))

    # 11 listed (10 of 10 done), 3 ranked, 2 ranked with an owner, 1 with a plan: 16 of 40.
    assert "11 audiences listed" in page
    assert "3 of 10 top-ten places filled" in page
    assert "2 of 10 ranked audiences have an owner" in page
    assert "1 of 10 ranked audiences have a measurement plan" in page
    assert "16 of 40 done (40%)" in page
    assert "3 of your top ten audiences are an operational liability" in page


def test_home_links_the_liability_count_to_the_filtered_registry(lead_client, org, lead):
    AudienceFactory(organisation=org, slug="ranked-one", name="Ranked one")
    AudienceFactory(organisation=org, slug="unranked-one", name="Unranked one")
    audience_ranking_set(organisation=org, ordered_slugs=["ranked-one"], actor=lead)
    home = lead_client.get(reverse("audiences:home")).content.decode()
    link = re.search(r'href="([^"]*liability=yes[^"]*)"', home).group(1).replace("&amp;", "&")
    listing = text(lead_client.get(link))
    assert "Ranked one" in listing and "Unranked one" not in listing


# --- list and filters ----------------------------------------------------------------------


@pytest.fixture
def registry(org, owner_person):
    AudienceFactory(
        organisation=org, name="Parents", slug="parents", kind="parent", owner=owner_person
    )
    AudienceFactory(organisation=org, name="Teachers", slug="teachers", kind="employee")
    AudienceFactory(
        organisation=org, name="Old donors", slug="old-donors", kind="donor", archived=True
    )
    AudienceFactory(
        organisation=org, name="Volunteers", slug="volunteers", kind="other", kind_label="Volunteer"
    )


def names(response) -> list[str]:
    """Audience names in the registry table."""
    body = response.content.decode()
    table = body[body.find("<tbody>") :] if "<tbody>" in body else ""
    return re.findall(r'<a href="/app/audiences/[\w-]+/">([^<]+)</a>', table)


def test_the_list_shows_every_active_audience_with_failing_checks(lead_client, registry):
    response = lead_client.get(reverse("audiences:list"))
    assert sorted(names(response)) == ["Parents", "Teachers", "Volunteers"]
    page = text(response)
    assert "Volunteer" in page  # the free label of kind "other"
    assert "No owner" in page and "No journey map" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=employee", ["Teachers"]),
        ("q=paren", ["Parents"]),
        ("owner=null", ["Teachers", "Volunteers"]),
        ("archived=only", ["Old donors"]),
        ("archived=include&kind=donor", ["Old donors"]),
        ("liability=no", []),
        ("liability=yes&kind=parent", ["Parents"]),
    ],
)
def test_the_list_filters(lead_client, registry, query, expected):
    response = lead_client.get(reverse("audiences:list") + "?" + query)
    assert sorted(names(response)) == expected


def test_the_list_filters_by_owner(lead_client, registry, owner_person):
    response = lead_client.get(reverse("audiences:list") + f"?owner={owner_person.pk}")
    assert names(response) == ["Parents"]


def test_the_list_does_not_query_per_row(lead_client, org, django_assert_max_num_queries):
    people = [PersonFactory(organisation=org) for _ in range(5)]
    for i in range(30):
        AudienceFactory(organisation=org, owner=people[i % 5])
    lead_client.get(reverse("audiences:list"))  # warm the session
    with django_assert_max_num_queries(10):
        response = lead_client.get(reverse("audiences:list"))
    assert len(names(response)) == 30


# --- audience forms ------------------------------------------------------------------------


def test_a_lead_creates_an_audience_with_a_slug_from_its_name(lead_client, org, lead):
    response = lead_client.post(
        reverse("audiences:create"),
        {"name": "Teacher Candidates", "kind": "candidate", "stage": "prospective"},
    )
    audience = Audience.objects.for_org(org).get()
    assert audience.slug == "teacher-candidates"
    assert response.url == reverse("audiences:detail", args=["teacher-candidates"])
    entry = AuditEntry.objects.for_org(org).get(action="created")
    assert entry.audience == audience and entry.actor_user == lead


def test_create_says_when_the_slug_is_taken(lead_client, unowned_audience):
    response = lead_client.post(
        reverse("audiences:create"),
        {"name": "Other teachers", "slug": "teachers", "kind": "employee", "stage": "current"},
    )
    assert response.status_code == 200
    assert "already used by another audience" in field_error(response, "slug")


def test_create_says_when_the_name_gives_a_taken_slug(lead_client, unowned_audience):
    response = lead_client.post(
        reverse("audiences:create"), {"name": "Teachers", "kind": "employee", "stage": "current"}
    )
    assert "already has the address 'teachers' made from this name" in field_error(response, "name")


def test_a_slug_may_repeat_in_another_organisation(lead_client, org, foreign_audience):
    lead_client.post(
        reverse("audiences:create"), {"name": "Customers", "kind": "customer", "stage": "current"}
    )
    assert Audience.objects.for_org(org).get().slug == "customers"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "", "kind": "customer", "stage": "current"}, "name", "required"),
        ({"name": "X", "kind": "other", "stage": "current"}, "kind_label", "Name the kind"),
        ({"name": "X", "kind": "martian", "stage": "current"}, "kind", "valid choice"),
        ({"name": "X", "kind": "fan", "stage": "current", "slug": "top-ten"}, "slug", "reserved"),
        ({"name": "X", "kind": "fan", "stage": "current", "slug": "a b"}, "slug", "valid"),
    ],
)
def test_the_audience_form_shows_errors_next_to_the_field(lead_client, org, data, field, message):
    response = lead_client.post(reverse("audiences:create"), data)
    assert response.status_code == 200
    assert message in field_error(response, field)
    assert not Audience.all_orgs.exists()


def test_a_lead_assigns_an_owner_from_the_organisations_people(lead_client, unowned_audience, org):
    person = PersonFactory(organisation=org, name="Hana HR")
    lead_client.post(
        reverse("audiences:edit", args=["teachers"]),
        {
            "name": "Teachers",
            "kind": "employee",
            "stage": "current",
            "description": unowned_audience.description,
            "owner": person.pk,
        },
    )
    unowned_audience.refresh_from_db()
    assert unowned_audience.owner == person
    entry = AuditEntry.objects.for_org(org).get(action="updated")
    assert entry.changes == {"owner": [None, "Hana HR"]}
    detail = text(lead_client.get(reverse("audiences:detail", args=["teachers"])))
    assert "Hana HR" in detail and "Updated · Audience (owner)" in detail


def test_archive_keeps_the_audience_and_restore_brings_it_back(lead_client, unowned_audience):
    lead_client.post(reverse("audiences:archive", args=["teachers"]))
    assert "Teachers" not in names(lead_client.get(reverse("audiences:list")))
    detail = text(lead_client.get(reverse("audiences:detail", args=["teachers"])))
    assert "Archived" in detail and "Restore" in detail
    lead_client.post(reverse("audiences:restore", args=["teachers"]))
    assert "Teachers" in names(lead_client.get(reverse("audiences:list")))


def test_the_audience_page_says_what_to_do_next(lead_client, unowned_audience):
    page = text(lead_client.get(reverse("audiences:detail", args=["teachers"])))
    assert "Name the person who owns this audience's experience." in page
    assert "Map at least one stage with a touchpoint." in page


# --- people --------------------------------------------------------------------------------


def test_a_lead_adds_a_person_linked_to_a_member(lead_client, org, viewer):
    response = lead_client.post(
        reverse("audiences:person_create"),
        {"name": "Vic Viewer", "email": "VIC@example.org", "title": "CFO", "user": viewer.pk},
    )
    assert response.status_code == 302
    person = Person.objects.for_org(org).get(name="Vic Viewer")
    assert (person.email, person.user) == ("vic@example.org", viewer)
    assert "viewer@example.org" in text(lead_client.get(reverse("audiences:people")))


def test_a_person_cannot_be_linked_to_a_non_member(lead_client, org, outsider):
    response = lead_client.post(
        reverse("audiences:person_create"),
        {"name": "Out", "email": "out@example.org", "user": outsider.pk},
    )
    assert "valid choice" in field_error(response, "user")


def test_a_persons_email_is_unique_in_the_organisation(lead_client, owner_person):
    response = lead_client.post(
        reverse("audiences:person_create"), {"name": "Twin", "email": "OWNER@example.org"}
    )
    assert "already has this e-mail" in field_error(response, "email")


def test_a_lead_edits_a_person(lead_client, owner_person):
    lead_client.post(
        reverse("audiences:person_edit", args=[owner_person.pk]),
        {"name": "Olive O.", "email": "owner@example.org", "department": "HR"},
    )
    owner_person.refresh_from_db()
    assert (owner_person.name, owner_person.department) == ("Olive O.", "HR")


def test_the_people_list_counts_audiences_owned(lead_client, owned_audience):
    assert "1 audience" in text(lead_client.get(reverse("audiences:people")))


def test_the_organisation_switcher_changes_what_a_member_sees(client, org, other_org, lead):
    MembershipFactory(user=lead, organisation=other_org, role="viewer")
    AudienceFactory(organisation=other_org, name="Acme customers")
    client.force_login(lead)
    client.post(reverse("audiences:switch_organisation"), {"organisation": "acme"})
    assert "Acme customers" in text(client.get(reverse("audiences:list")))
    client.post(reverse("audiences:switch_organisation"), {"organisation": "riverside"})
    assert "Acme customers" not in text(client.get(reverse("audiences:list")))
