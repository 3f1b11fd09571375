from django.core.management.base import BaseCommand

from audiences.demo import seed_registry
from measurements.demo import seed_measurement
from measurements.demo_followups import seed_demo_followups
from measurements.demo_results import demo_results_clear_stale, seed_demo_results


class Command(BaseCommand):
    # Here, not in audiences: seeding fills every app (registry, journeys, measurements).
    help = "Load the demo organisations, people, audiences and sign-ins. Safe to run again."

    def handle(self, *args, **options) -> None:
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
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Sign in at /login/ with:"))
        for row in sign_ins:
            self.stdout.write(
                f"  {row['organisation']:<27} {row['role']:<7} {row['email']:<34} "
                f"password: {row['password']:<15} {row['name']}"
            )
