from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audiences"

    def ready(self) -> None:
        # Copies a person's kept language into their session when they sign in.
        from audiences import language  # noqa: F401
