from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """Users sign in with their e-mail address (case-insensitive) and password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs,
    ):
        email = (username or kwargs.get("email") or "").strip()
        if not email or password is None:
            return None
        user_model = get_user_model()
        user = user_model.objects.filter(email__iexact=email).order_by("id").first()
        if user is None:
            # Spend the time of a real check so timing does not reveal which e-mails exist.
            user_model().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
