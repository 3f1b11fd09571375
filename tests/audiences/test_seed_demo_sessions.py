"""`./ax up` again (seed_demo again) must not sign the demo users out or change their passwords."""

from io import StringIO

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

DEMO_USERS = {
    "avery.johnson@riverside.example": "ax-demo-lead",
    "maya.chen@riverside.example": "ax-demo-owner",
    "sam.patel@riverside.example": "ax-demo-viewer",
}


def seed() -> None:
    call_command("seed_demo", stdout=StringIO())


def test_seeding_again_keeps_every_demo_user_signed_in(db):
    seed()
    clients = {}
    for email, password in DEMO_USERS.items():
        clients[email] = Client()
        signed_in = clients[email].post(reverse("login"), {"username": email, "password": password})
        assert signed_in.status_code == 302, email
    hashes = dict(
        get_user_model().objects.filter(email__in=DEMO_USERS).values_list("email", "password")
    )

    seed()

    for email, client in clients.items():
        answer = client.get(reverse("audiences:home"))
        assert answer.status_code == 200, f"{email} was signed out"
    assert (
        dict(get_user_model().objects.filter(email__in=DEMO_USERS).values_list("email", "password"))
        == hashes
    )


def test_seeding_again_restores_a_changed_demo_password(db):
    seed()
    user = get_user_model().objects.get(email="maya.chen@riverside.example")
    user.set_password("something-else")
    user.save()

    seed()

    user.refresh_from_db()
    assert user.check_password("ax-demo-owner")  # the printed sign-ins always work
