from django.test import override_settings
from django.urls import reverse


def test_it_sends_a_content_security_policy_without_inline_script(client, db):
    response = client.get(reverse("login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_it_locks_sign_in_after_repeated_failures(client, lead, password):
    url = reverse("login")
    for _ in range(2):
        assert client.post(url, {"username": lead.email, "password": "wrong"}).status_code == 200
    # The third failure already answers with the lockout (django-axes), not the form again.
    third = client.post(url, {"username": lead.email.upper(), "password": "wrong"})
    assert third.status_code == 429
    # Even the right password is refused while locked out, with a message and Retry-After.
    locked = client.post(url, {"username": lead.email, "password": password})
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    assert int(locked.headers["Retry-After"]) > 0


def test_it_serves_api_docs_without_inline_script(client, lead):
    client.force_login(lead)
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html
    assert "drf_spectacular_sidecar" in html
