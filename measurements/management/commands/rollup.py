"""`python manage.py rollup [--org SLUG] [--audience SLUG] [--full]`.

Naming an organisation always recomputes it in full (walk2 #13: the help said only --full
did): the stale recompute works through every organisation's marks and takes no filter."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audiences.models import Audience, Organisation
from measurements.rollups import rollup_full, stale_rollups_recompute


class Command(BaseCommand):
    help = (
        "Recompute rollups. Without options: only the stale periods ingestion marked, for "
        "every organisation. With --org (optionally --audience): a full recompute from raw "
        "data of that organisation (or audience). With --full alone: of every organisation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--org", help="Organisation slug: recomputes all its rollups from raw data."
        )
        parser.add_argument(
            "--audience", help="Audience slug (needs --org): only its rollups, from raw data."
        )
        parser.add_argument(
            "--full",
            action="store_true",
            help="Recompute from raw data (implied by --org); alone: every organisation.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = audience = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(f"No organisation '{options['org']}'.")
        if options["audience"]:
            if organisation is None:
                raise CommandError("--audience needs --org: audience slugs are per organisation.")
            audience = Audience.objects.for_org(organisation).filter(slug=options["audience"])
            audience = audience.first()
            if audience is None:
                raise CommandError(f"No audience '{options['audience']}' in {organisation.slug}.")
        if options["full"] or organisation is not None:
            written = rollup_full(organisation=organisation, audience=audience)
            self.stdout.write(f"Recomputed {written} rollups from raw data.")
        else:
            consumed = stale_rollups_recompute()
            self.stdout.write(f"Recomputed the rollups of {consumed} stale marks.")
