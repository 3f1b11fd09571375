from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audiences.services import organisation_create


class Command(BaseCommand):
    help = "Create an organisation (bootstrap without the admin site)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug", help="Short identifier, e.g. riverside")
        parser.add_argument("--name", required=True, help="Display name")
        parser.add_argument("--timezone", default="UTC", help="IANA time zone, default UTC")

    def handle(self, *args, slug: str, name: str, timezone: str, **options) -> None:
        try:
            organisation = organisation_create(slug=slug, name=name, timezone=timezone)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Created organisation {organisation.name} ({organisation.slug}, "
                f"{organisation.timezone}). Add a lead with: "
                f"manage.py add_member {organisation.slug} EMAIL --role lead"
            )
        )
