from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audiences.models import Organisation, Role
from audiences.services import member_add


class Command(BaseCommand):
    help = "Give a user (created if needed; username = e-mail) a role in an organisation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("org_slug")
        parser.add_argument("email")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--password", help="Set this password (a new user without one gets a generated one)"
        )

    def handle(self, *args, org_slug: str, email: str, role: str, password: str | None, **options):
        organisation = Organisation.objects.filter(slug=org_slug).first()
        if organisation is None:
            raise CommandError(
                f"No organisation with the slug '{org_slug}'. "
                f"Create it first: manage.py create_organisation {org_slug} --name NAME"
            )
        try:
            added = member_add(organisation=organisation, email=email, role=role, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user = added.membership.user
        verb = "Created user" if added.user_created else "Existing user"
        self.stdout.write(
            self.style.SUCCESS(f"{verb} {user.email} is now {role} of {organisation.name}.")
        )
        if added.generated_password:
            self.stdout.write(f"Generated password (shown once): {added.generated_password}")
