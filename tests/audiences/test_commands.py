"""Bootstrap without the admin site, and the demo seed."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from audiences.models import Audience, Membership, Organisation, Person, Role


def run(*args, **kwargs) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_it_creates_an_organisation(db):
    output = run(
        "create_organisation", "harbour", "--name", "Harbour Trust", "--timezone", "Europe/Istanbul"
    )
    organisation = Organisation.objects.get(slug="harbour")
    assert (organisation.name, organisation.timezone) == ("Harbour Trust", "Europe/Istanbul")
    assert "add_member harbour" in output


def test_it_defaults_the_timezone_to_utc(db):
    run("create_organisation", "harbour", "--name", "Harbour Trust")
    assert Organisation.objects.get(slug="harbour").timezone == "UTC"


def test_it_refuses_an_unknown_timezone(db):
    with pytest.raises(CommandError, match="not a known IANA time zone"):
        run("create_organisation", "harbour", "--name", "Harbour", "--timezone", "Mars/Olympus")
    assert not Organisation.objects.exists()


def test_it_refuses_a_taken_slug(org):
    with pytest.raises(CommandError, match="slug 'riverside' already exists"):
        run("create_organisation", "riverside", "--name", "Another")


def test_add_member_creates_a_user_with_a_generated_password(org):
    output = run("add_member", "riverside", "new@example.org", "--role", "owner")
    password = re.search(r"Generated password \(shown once\): (\S+)", output).group(1)
    user = get_user_model().objects.get(email="new@example.org")
    assert user.username == "new@example.org"
    assert user.check_password(password)
    assert Membership.all_orgs.get(user=user, organisation=org).role == Role.OWNER


def test_add_member_sets_a_given_password(org):
    output = run(
        "add_member", "riverside", "new@example.org", "--role", "lead", "--password", "s3cret-pass"
    )
    assert "Generated password" not in output
    assert get_user_model().objects.get(email="new@example.org").check_password("s3cret-pass")


def test_add_member_keeps_an_existing_users_password_and_updates_the_role(org, viewer, password):
    output = run("add_member", "riverside", "VIEWER@example.org", "--role", "lead")
    viewer.refresh_from_db()
    assert viewer.check_password(password)
    assert "Existing user" in output and "Generated password" not in output
    assert Membership.all_orgs.get(user=viewer, organisation=org).role == Role.LEAD
    assert Membership.all_orgs.filter(user=viewer).count() == 1


def test_add_member_adds_an_existing_user_to_a_second_organisation(org, other_org, viewer):
    run("add_member", "acme", "viewer@example.org", "--role", "viewer")
    assert set(
        Membership.all_orgs.filter(user=viewer).values_list("organisation__slug", flat=True)
    ) == {
        "riverside",
        "acme",
    }


def test_add_member_refuses_an_unknown_organisation(db):
    with pytest.raises(CommandError, match="No organisation with the slug 'nowhere'"):
        run("add_member", "nowhere", "a@example.org", "--role", "lead")


def test_add_member_refuses_an_unknown_role(org):
    with pytest.raises(CommandError, match="invalid choice: 'boss'"):
        run("add_member", "riverside", "a@example.org", "--role", "boss")


def test_add_member_refuses_an_invalid_email(org):
    with pytest.raises(CommandError, match="valid email"):
        run("add_member", "riverside", "not-an-email", "--role", "viewer")
    assert not get_user_model().objects.exists()


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": Membership.all_orgs.count(),
        "people": Person.all_orgs.count(),
        "audiences": Audience.all_orgs.count(),
    }


def test_seed_demo_twice_duplicates_nothing(db):
    run("seed_demo")
    first = counts()
    Audience.all_orgs.filter(slug="students").update(rank=None, archived=True)
    run("seed_demo")
    assert counts() == first
    students = Audience.all_orgs.get(organisation__slug="riverside", slug="students")
    assert (students.rank, students.archived) == (1, False)  # the demo resets what it owns
    assert first["audiences"] >= 25 and first["people"] >= 10


def test_seed_demo_builds_the_district_with_gaps_in_ownership(db):
    output = run("seed_demo")
    riverside = Organisation.objects.get(slug="riverside")
    audiences = Audience.objects.for_org(riverside)
    ranked = audiences.filter(rank__isnull=False)
    assert riverside.timezone == "America/New_York"
    assert audiences.count() >= 20
    assert len(set(audiences.values_list("kind", flat=True))) >= 8
    assert sorted(ranked.values_list("rank", flat=True)) == list(range(1, 11))
    assert 0 < ranked.filter(owner__isnull=True).count() < 5
    hr = Person.all_orgs.get(organisation=riverside, user__email="maya.chen@riverside.example")
    assert set(hr.audiences.values_list("slug", flat=True)) >= {"teachers", "teacher-candidates"}
    for email, password in [
        ("avery.johnson@riverside.example", "ax-demo-lead"),
        ("sam.patel@riverside.example", "ax-demo-viewer"),
        ("ada.yilmaz@northwind.example", "ax-demo-lead"),
    ]:
        assert email in output and password in output
        assert get_user_model().objects.get(email=email).check_password(password)
    avery_orgs = Membership.all_orgs.filter(user__email="avery.johnson@riverside.example")
    assert dict(avery_orgs.values_list("organisation__slug", "role")) == {
        "riverside": "lead",
        "northwind": "viewer",
    }
