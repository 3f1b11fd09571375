from django.urls import reverse


def test_it_signs_in_with_email_and_password(client, lead, password):
    response = client.post(reverse("login"), {"username": "LEAD@example.org", "password": password})
    assert response.status_code == 302
    assert response.url == reverse("audiences:home")


def test_it_refuses_a_wrong_password(client, lead):
    response = client.post(reverse("login"), {"username": "lead@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "enter a correct" in response.content.decode().lower()


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("audiences:list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_current_organisation_name(lead_client, org):
    response = lead_client.get(reverse("audiences:home"))
    assert org.name in response.content.decode()


def test_it_starts_in_the_first_organisation_joined_and_switches_on_request(
    client, lead, org, other_org
):
    from audiences.models import Role
    from tests.factories import MembershipFactory

    # "Acme SaaS" sorts before "Riverside…", but the lead joined Riverside first.
    MembershipFactory(user=lead, organisation=other_org, role=Role.VIEWER)
    client.force_login(lead)
    assert org.name in client.get(reverse("audiences:home")).content.decode().split("<main")[0]

    client.post(reverse("audiences:switch_organisation"), {"organisation": other_org.slug})
    header = client.get(reverse("audiences:home")).content.decode().split("<main")[0]
    assert "Acme SaaS" in header.split('class="org-name"', 1)[1].split("</span>", 1)[0]


def test_it_refuses_to_switch_to_an_organisation_the_user_is_not_in(client, lead, other_org):
    client.force_login(lead)
    response = client.post(reverse("audiences:switch_organisation"), {"organisation": "acme"})
    assert response.status_code == 404
