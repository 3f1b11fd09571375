import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import pgettext

from audiences.demo import seed_registry
from axreg.i18n import supported
from measurements.demo import seed_measurement
from measurements.demo_followups import seed_demo_followups
from measurements.demo_results import demo_results_clear_stale, seed_demo_results

# `AX_DEMO_LANGUAGE=tr ./ax up`: the language of the demo's labels when --language is not given.
LANGUAGE_ENV = "AX_DEMO_LANGUAGE"


class Command(BaseCommand):
    # Here, not in audiences: seeding fills every app (registry, journeys, measurements).
    help = (
        "Load the demo organisations, people, audiences and sign-ins. Safe to run again. "
        "The labels are written in one language: --language, else $AX_DEMO_LANGUAGE, else "
        "LANGUAGE_CODE; a run in another language relabels the same rows."
    )

    def add_arguments(self, parser) -> None:
        codes = ", ".join(code for code, _name in settings.LANGUAGES)
        parser.add_argument(
            "--language",
            help=f"Language of the demo's labels ({codes}); default ${LANGUAGE_ENV}, else "
            f"{settings.LANGUAGE_CODE}.",
        )

    def handle(self, *args, **options) -> None:
        asked = options.get("language") or os.environ.get(LANGUAGE_ENV) or settings.LANGUAGE_CODE
        language = supported(asked)
        if language is None:
            codes = ", ".join(code for code, _name in settings.LANGUAGES)
            raise CommandError(f"Unknown demo language {asked!r}: use one of {codes}.")
        with translation.override(language):
            self.seed()

    def seed(self) -> None:
        demo = seed_registry()
        # Later seeding steps (plans, journeys, results) go here, one call each, taking `demo`.
        # First the demo's results of another year go (it follows the calendar), and with them
        # revenue in a currency the demo's CLV definitions no longer use.
        for organisation in demo["organisations"].values():
            demo_results_clear_stale(organisation)
        seed_measurement(demo)  # journeys, personas, plans, metric definitions
        seed_demo_results(demo)  # a year of results, rolled up
        seed_demo_followups(demo)  # a few follow-ups in each state, on the recent low answers
        self.print_sign_ins(demo["sign_ins"])

    def print_sign_ins(self, sign_ins: list[dict[str, str]]) -> None:
        self.stdout.write(
            self.style.SUCCESS(pgettext("demo", "Demo data loaded. Sign in at /login/ with:"))
        )
        password = pgettext("demo", "password:")
        for row in sign_ins:
            self.stdout.write(
                f"  {row['organisation']:<27} {row['role']:<7} {row['email']:<34} "
                f"{password} {row['password']:<15} {row['name']}"
            )
