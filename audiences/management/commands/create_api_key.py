from django.core.management.base import BaseCommand, CommandError

from audiences.models import Organisation
from audiences.services import api_key_create


class Command(BaseCommand):
    help = "Create an API key for an organisation; the key is printed alone on the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("--name", default="API key")

    def handle(self, *args, org_slug: str, name: str, **options) -> None:
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            raise CommandError(f"No organisation with the slug '{org_slug}'.")
        new = api_key_create(organisation=organisation, name=name)
        self.stdout.write(
            f"Created API key '{new.api_key.name}' (prefix {new.api_key.prefix}) for "
            f"{organisation.name}. It is shown only now; store it safely:"
        )
        self.stdout.write(new.raw_key)
