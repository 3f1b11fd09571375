from django.core.management.base import BaseCommand, CommandParser

from measurements.digest import digests_send


class Command(BaseCommand):
    help = (
        "Send this week's digest to every audience owner who has something to report and has "
        "not had it yet. Beat runs it hourly and it sends on Monday from 08:00 local time; "
        "--any-day sends the week's digest now, whatever the day (still once per week)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--any-day", action="store_true", help="Do not wait for Monday.")

    def handle(self, *args: object, **options: object) -> None:
        run = digests_send(any_day=bool(options["any_day"]))
        self.stdout.write(
            f"Digests sent: {run.sent}; owners with nothing to report: {run.empty}; "
            f"already sent this week: {run.already_sent}."
        )
