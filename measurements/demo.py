"""Demo measurement plans and metric definitions (and, first, the journeys they point at).

Idempotent: plans are keyed by audience, definitions by (audience, slug), so a run in another
language puts that language's texts on the same rows. Among Riverside's
top ten, the school board and the bus contractor get neither plan nor journey, support staff
get nothing at all, and teacher candidates get a plan but no journey — so the liability view
shows real gaps next to audiences that are measured.

Definition slugs other demo steps can rely on (organisation / audience: slugs):
riverside/students: csat · riverside/parents: nps, csat · riverside/teachers: nps (eNPS),
retention · riverside/special-education-families: ttr, csat · riverside/teacher-candidates: nps ·
riverside/prospective-families: ces · riverside/donors: retention, clv ·
northwind/customers: nps, csat, ttr, churn, clv · northwind/employees: nps (eNPS) ·
northwind/prospects: ces.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from audiences.models import Audience
from journeys.demo import seed_journeys
from journeys.models import Touchpoint
from measurements.demo_opportunities import seed_opportunities
from measurements.models import MeasurementPlan, Method, MetricDefinition
from measurements.services import definition_validate

# audience slug -> (process, methods, cadence, data sources, run by, review), where review is
# (review every N months, last reviewed this many days before the seeding) or None (no review
# cadence, never reviewed). Relative to the day, as the results are, so that the demo keeps
# one overdue review: Maya Chen's teacher candidates (every 3 months, 130 days ago).
PLANS: dict[str, dict[str, tuple[Any, ...]]] = {
    "riverside": {
        "students": (
            pgettext_lazy(
                "demo",
                "Student voice survey each term in grades 4–12; principals review results with "
                "student councils and publish three changes they will make.",
            ),
            ["relationship_survey", "focus_groups", "product_analytics"],
            pgettext_lazy("demo", "Each term"),
            pgettext_lazy("demo", "Survey tool; learning-app analytics"),
            pgettext_lazy("demo", "Priya Natarajan"),
            (6, 40),
        ),
        "parents": (
            pgettext_lazy(
                "demo",
                "Relationship NPS each month to a rolling twelfth of families, and a short CSAT "
                "after every front-office call. Communications reads every comment weekly and "
                "routes issues to principals; results go to the board each semester.",
            ),
            ["relationship_survey", "transactional_survey", "interviews", "social_listening"],
            pgettext_lazy("demo", "NPS monthly (each family once a year); CSAT continuous"),
            pgettext_lazy("demo", "Survey tool; phone system"),
            pgettext_lazy("demo", "Luis Ortega"),
            (6, 75),
        ),
        "teachers": (
            pgettext_lazy(
                "demo",
                "eNPS pulse each quarter, a third of the schools each month; stay interviews with "
                "every second-year teacher; retention from HR records. HR and principals agree "
                "one action per school per quarter.",
            ),
            ["relationship_survey", "interviews", "focus_groups"],
            pgettext_lazy(
                "demo", "Quarterly pulse (monthly by school); stay interviews each spring"
            ),
            pgettext_lazy("demo", "HR system; survey tool"),
            pgettext_lazy("demo", "Maya Chen"),
            (3, 30),
        ),
        "special-education-families": (
            pgettext_lazy(
                "demo",
                "Every evaluation request and family enquiry is a case in the helpdesk; we track "
                "time to resolution against the legal timelines and ask a one-question CSAT when "
                "a case closes.",
            ),
            ["support_tickets", "transactional_survey", "interviews"],
            pgettext_lazy("demo", "Continuous; reviewed monthly"),
            pgettext_lazy("demo", "Helpdesk"),
            pgettext_lazy("demo", "Grace Okafor"),
            (1, 12),
        ),
        "teacher-candidates": (
            pgettext_lazy(
                "demo",
                "Candidate NPS after every interview loop; recruiting reviews comments monthly.",
            ),
            ["transactional_survey", "interviews"],
            pgettext_lazy("demo", "After each interview loop"),
            pgettext_lazy("demo", "Applicant tracking system"),
            pgettext_lazy("demo", "Maya Chen"),
            (3, 130),
        ),
        "prospective-families": (
            pgettext_lazy(
                "demo",
                "CES after online enrolment ('the district made enrolling easy'); tour feedback "
                "cards; enrolment office reviews drop-offs in the form each month.",
            ),
            ["transactional_survey", "product_analytics", "session_recordings"],
            pgettext_lazy("demo", "Continuous during enrolment season"),
            pgettext_lazy("demo", "Enrolment form analytics; survey tool"),
            pgettext_lazy("demo", "Enrolment office"),
            None,
        ),
        "donors": (
            pgettext_lazy(
                "demo",
                "Recurring donors' retention and lifetime value (USD) from the foundation's CRM; "
                "calls with the top fifty donors each January.",
            ),
            ["interviews", "other"],
            pgettext_lazy("demo", "Monthly, with a January review"),
            pgettext_lazy("demo", "Donor CRM"),
            pgettext_lazy("demo", "Marcus Hill"),
            (12, 300),
        ),
    },
    "northwind": {
        "customers": (
            pgettext_lazy(
                "demo",
                "Relationship NPS each quarter, CSAT after support chats, time to resolution from "
                "the helpdesk, churn and CLV from billing. Customer success reviews weekly.",
            ),
            ["relationship_survey", "transactional_survey", "support_tickets", "product_analytics"],
            pgettext_lazy("demo", "Weekly review; quarterly NPS"),
            pgettext_lazy("demo", "Survey tool; helpdesk; billing"),
            "Ayşe Demir",
            (3, 20),
        ),
        "employees": (
            pgettext_lazy(
                "demo",
                "Quarterly eNPS pulse with open comments; People Operations shares results at the "
                "all-hands and agrees actions with team leads.",
            ),
            ["relationship_survey", "interviews"],
            pgettext_lazy("demo", "Quarterly"),
            pgettext_lazy("demo", "HR survey tool"),
            "Zeynep Kaya",
            (3, 45),
        ),
        "prospects": (
            pgettext_lazy("demo", "CES after the trial's setup wizard."),
            ["transactional_survey", "product_analytics"],
            pgettext_lazy("demo", "Continuous"),
            pgettext_lazy("demo", "Product analytics"),
            "Can Aydın",
            None,
        ),
    },
}

# audience slug -> [(slug, kind, name, scale, touchpoint slug, target, alert, margin %,
#                    currency)]. Targets are what a district would aim for each month, alert
# thresholds a clear fall below the usual (measurements/demo_results.py plans the crossings).
DEFINITIONS: dict[str, dict[str, list[tuple[Any, ...]]]] = {
    "riverside": {
        "students": [
            (
                "csat",
                "csat",
                pgettext_lazy("demo", "Student satisfaction"),
                None,
                None,
                78,
                65,
                100,
                "",
            )
        ],
        "parents": [
            ("nps", "nps", pgettext_lazy("demo", "Parent NPS"), None, None, 35, 10, 100, ""),
            (
                "csat",
                "csat",
                pgettext_lazy("demo", "Front-office CSAT"),
                None,
                "front-office-call",
                85,
                70,
                100,
                "",
            ),
        ],
        "teachers": [
            ("nps", "nps", pgettext_lazy("demo", "Teacher eNPS"), None, None, 20, -10, 100, ""),
            (
                "retention",
                "retention",
                pgettext_lazy("demo", "Teacher retention"),
                None,
                None,
                97,
                92,
                100,
                "",
            ),
        ],
        "special-education-families": [
            (
                "ttr",
                "ttr",
                pgettext_lazy("demo", "Case time to resolution"),
                None,
                "case-manager-contact",
                72,
                120,
                100,
                "",
            ),
            (
                "csat",
                "csat",
                pgettext_lazy("demo", "Case CSAT"),
                (1, 5),
                "case-manager-contact",
                80,
                60,
                100,
                "",
            ),
        ],
        "teacher-candidates": [
            ("nps", "nps", pgettext_lazy("demo", "Candidate NPS"), None, None, 25, 0, 100, "")
        ],
        "prospective-families": [
            (
                "ces",
                "ces",
                pgettext_lazy("demo", "Enrolment effort"),
                None,
                "online-enrolment-form",
                5.4,
                4.5,
                100,
                "",
            ),
        ],
        "donors": [
            (
                "retention",
                "retention",
                pgettext_lazy("demo", "Donor retention"),
                None,
                None,
                98,
                95,
                100,
                "",
            ),
            # An American district's foundation: dollars (America/New_York).
            (
                "clv",
                "clv",
                pgettext_lazy("demo", "Donor lifetime value"),
                None,
                None,
                2500,
                1200,
                100,
                "USD",
            ),
        ],
    },
    "northwind": {
        "customers": [
            ("nps", "nps", pgettext_lazy("demo", "Customer NPS"), None, None, 40, 20, 100, ""),
            (
                "csat",
                "csat",
                pgettext_lazy("demo", "Support CSAT"),
                (1, 5),
                "support-chat",
                85,
                70,
                100,
                "",
            ),
            (
                "ttr",
                "ttr",
                pgettext_lazy("demo", "Support time to resolution"),
                None,
                "support-chat",
                8,
                24,
                100,
                "",
            ),
            ("churn", "churn", pgettext_lazy("demo", "Customer churn"), None, None, 2, 4, 100, ""),
            (
                "clv",
                "clv",
                pgettext_lazy("demo", "Customer lifetime value"),
                None,
                None,
                30000,
                15000,
                78,
                "EUR",
            ),
        ],
        "employees": [
            ("nps", "nps", pgettext_lazy("demo", "Employee eNPS"), None, None, 30, 0, 100, "")
        ],
        "prospects": [
            ("ces", "ces", pgettext_lazy("demo", "Setup effort"), (1, 7), None, 5.5, 4, 100, "")
        ],
    },
}


def _plan(audience: Audience, row: tuple[Any, ...]) -> None:
    process, methods, cadence, sources, run_by, review = row
    every, days_ago = review or (None, None)
    today = timezone.localdate(timezone=ZoneInfo(audience.organisation.timezone or "UTC"))
    reviewed = None if days_ago is None else today - timedelta(days=days_ago)
    MeasurementPlan.objects.for_org(audience.organisation_id).update_or_create(
        audience=audience,
        defaults={
            "organisation": audience.organisation,
            "process": str(process),
            # In the choices' order, as plan_save stores them: else a no-op save reorders.
            "methods": sorted(methods, key=list(Method.values).index),
            "cadence": str(cadence),
            "data_sources": str(sources),
            "run_by": str(run_by),
            "last_reviewed_on": reviewed,
            "review_every_months": every,
        },
    )


def _definition(audience: Audience, row: tuple[Any, ...]) -> None:
    slug, kind, name, scale, touchpoint_slug, target, alert, margin, currency = row
    definitions = MetricDefinition.objects.for_org(audience.organisation_id)
    definition = definitions.filter(audience=audience, slug=slug).first()
    definition = definition or MetricDefinition(
        organisation=audience.organisation, audience=audience, slug=slug
    )
    definition.kind, definition.name = kind, str(name)
    definition.scale_min, definition.scale_max = scale or (None, None)
    definition.touchpoint = (
        Touchpoint.objects.for_org(audience.organisation_id).get(
            audience=audience, slug=touchpoint_slug
        )
        if touchpoint_slug
        else None
    )
    definition.target, definition.alert_threshold = target, alert
    definition.margin_percent, definition.active = margin, True
    definition.currency = currency
    # The same rules as the browser and the API: the demo must be data a user could enter.
    definition_validate(definition)
    definition.full_clean()
    definition.save()


@transaction.atomic
def seed_measurement(demo: dict[str, Any]) -> None:
    """Journeys, personas, plans and metric definitions for `audiences.demo.seed_registry`'s
    demo organisations."""
    seed_journeys(demo)
    for org_slug, plans in PLANS.items():
        for audience_slug, row in plans.items():
            _plan(demo["audiences"][org_slug][audience_slug], row)
    for org_slug, definitions in DEFINITIONS.items():
        for audience_slug, rows in definitions.items():
            for row in rows:
                _definition(demo["audiences"][org_slug][audience_slug], row)
    seed_opportunities(demo)
