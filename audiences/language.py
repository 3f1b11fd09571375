"""The language switch: a person's kept interface language (`Preference`), the session copy the
middleware reads (`axreg.i18n`), and the cookie that holds it for someone signed out."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from audiences.models import Preference
from axreg.i18n import SESSION_KEY, supported


def language_of(user) -> str:
    """The language to write to this person in when no request says it (e-mails, the digest):
    their kept choice, else the default."""
    if user is None or not getattr(user, "pk", None):
        return settings.LANGUAGE_CODE
    kept = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    return supported(kept) or settings.LANGUAGE_CODE


def language_keep(user, language: str) -> None:
    Preference.objects.update_or_create(user=user, defaults={"language": language})


@receiver(user_logged_in, dispatch_uid="audiences.language.kept_language_on_sign_in")
def _kept_language_on_sign_in(sender, request: HttpRequest | None, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    kept = Preference.objects.filter(user=user).values_list("language", flat=True).first()
    if supported(kept):
        request.session[SESSION_KEY] = kept


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """POST language=<code>[&next=<path>]: switch, keep the choice, go back where the person was."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    language = supported(request.POST.get("language"))
    if language is None:
        return response  # an unknown code changes nothing
    if request.user.is_authenticated:
        language_keep(request.user, language)
        request.session[SESSION_KEY] = language
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=request.is_secure(),
        httponly=True,
    )
    return response
