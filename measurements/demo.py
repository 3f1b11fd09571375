"""Demo measurement plans and metric definitions (and, first, the journeys they point at).

Idempotent: plans are keyed by audience, definitions by (audience, slug). Among Riverside's
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
            "Student voice survey each term in grades 4–12; principals review results with "
            "student councils and publish three changes they will make.",
            ["relationship_survey", "focus_groups", "product_analytics"],
            "Each term", "Survey tool; learning-app analytics", "Priya Natarajan",
            (6, 40),
        ),
        "parents": (
            "Relationship NPS each month to a rolling twelfth of families, and a short CSAT "
            "after every front-office call. Communications reads every comment weekly and "
            "routes issues to principals; results go to the board each semester.",
            ["relationship_survey", "transactional_survey", "interviews", "social_listening"],
            "NPS monthly (each family once a year); CSAT continuous", "Survey tool; phone system",
            "Luis Ortega", (6, 75),
        ),
        "teachers": (
            "eNPS pulse each quarter, a third of the schools each month; stay interviews with "
            "every second-year teacher; retention from HR records. HR and principals agree "
            "one action per school per quarter.",
            ["relationship_survey", "interviews", "focus_groups"],
            "Quarterly pulse (monthly by school); stay interviews each spring",
            "HR system; survey tool",
            "Maya Chen", (3, 30),
        ),
        "special-education-families": (
            "Every evaluation request and family enquiry is a case in the helpdesk; we track "
            "time to resolution against the legal timelines and ask a one-question CSAT when "
            "a case closes.",
            ["support_tickets", "transactional_survey", "interviews"],
            "Continuous; reviewed monthly", "Helpdesk", "Grace Okafor", (1, 12),
        ),
        "teacher-candidates": (
            "Candidate NPS after every interview loop; recruiting reviews comments monthly.",
            ["transactional_survey", "interviews"],
            "After each interview loop", "Applicant tracking system", "Maya Chen",
            (3, 130),
        ),
        "prospective-families": (
            "CES after online enrolment ('the district made enrolling easy'); tour feedback "
            "cards; enrolment office reviews drop-offs in the form each month.",
            ["transactional_survey", "product_analytics", "session_recordings"],
            "Continuous during enrolment season", "Enrolment form analytics; survey tool",
            "Enrolment office", None,
        ),
        "donors": (
            "Recurring donors' retention and lifetime value (USD) from the foundation's CRM; "
            "calls with the top fifty donors each January.",
            ["interviews", "other"],
            "Monthly, with a January review", "Donor CRM", "Marcus Hill", (12, 300),
        ),
    },
    "northwind": {
        "customers": (
            "Relationship NPS each quarter, CSAT after support chats, time to resolution from "
            "the helpdesk, churn and CLV from billing. Customer success reviews weekly.",
            ["relationship_survey", "transactional_survey", "support_tickets",
             "product_analytics"],
            "Weekly review; quarterly NPS", "Survey tool; helpdesk; billing", "Ayşe Demir",
            (3, 20),
        ),
        "employees": (
            "Quarterly eNPS pulse with open comments; People Operations shares results at the "
            "all-hands and agrees actions with team leads.",
            ["relationship_survey", "interviews"],
            "Quarterly", "HR survey tool", "Zeynep Kaya", (3, 45),
        ),
        "prospects": (
            "CES after the trial's setup wizard.",
            ["transactional_survey", "product_analytics"],
            "Continuous", "Product analytics", "Can Aydın", None,
        ),
    },
}  # fmt: skip

# audience slug -> [(slug, kind, name, scale, touchpoint slug, target, alert, margin %,
#                    currency)]. Targets are what a district would aim for each month, alert
# thresholds a clear fall below the usual (measurements/demo_results.py plans the crossings).
DEFINITIONS: dict[str, dict[str, list[tuple[Any, ...]]]] = {
    "riverside": {
        "students": [("csat", "csat", "Student satisfaction", None, None, 78, 65, 100, "")],
        "parents": [
            ("nps", "nps", "Parent NPS", None, None, 35, 10, 100, ""),
            ("csat", "csat", "Front-office CSAT", None, "front-office-call", 85, 70, 100, ""),
        ],
        "teachers": [
            ("nps", "nps", "Teacher eNPS", None, None, 20, -10, 100, ""),
            ("retention", "retention", "Teacher retention", None, None, 97, 92, 100, ""),
        ],
        "special-education-families": [
            ("ttr", "ttr", "Case time to resolution", None, "case-manager-contact", 72, 120, 100,
             ""),
            ("csat", "csat", "Case CSAT", (1, 5), "case-manager-contact", 80, 60, 100, ""),
        ],
        "teacher-candidates": [("nps", "nps", "Candidate NPS", None, None, 25, 0, 100, "")],
        "prospective-families": [
            ("ces", "ces", "Enrolment effort", None, "online-enrolment-form", 5.4, 4.5, 100, ""),
        ],
        "donors": [
            ("retention", "retention", "Donor retention", None, None, 98, 95, 100, ""),
            # An American district's foundation: dollars (America/New_York).
            ("clv", "clv", "Donor lifetime value", None, None, 2500, 1200, 100, "USD"),
        ],
    },
    "northwind": {
        "customers": [
            ("nps", "nps", "Customer NPS", None, None, 40, 20, 100, ""),
            ("csat", "csat", "Support CSAT", (1, 5), "support-chat", 85, 70, 100, ""),
            ("ttr", "ttr", "Support time to resolution", None, "support-chat", 8, 24, 100, ""),
            ("churn", "churn", "Customer churn", None, None, 2, 4, 100, ""),
            ("clv", "clv", "Customer lifetime value", None, None, 30000, 15000, 78, "EUR"),
        ],
        "employees": [("nps", "nps", "Employee eNPS", None, None, 30, 0, 100, "")],
        "prospects": [("ces", "ces", "Setup effort", (1, 7), None, 5.5, 4, 100, "")],
    },
}  # fmt: skip


def _plan(audience: Audience, row: tuple[Any, ...]) -> None:
    process, methods, cadence, sources, run_by, review = row
    every, days_ago = review or (None, None)
    today = timezone.localdate(timezone=ZoneInfo(audience.organisation.timezone or "UTC"))
    reviewed = None if days_ago is None else today - timedelta(days=days_ago)
    MeasurementPlan.objects.for_org(audience.organisation_id).update_or_create(
        audience=audience,
        defaults={
            "organisation": audience.organisation,
            "process": process,
            # In the choices' order, as plan_save stores them: else a no-op save reorders.
            "methods": sorted(methods, key=list(Method.values).index),
            "cadence": cadence,
            "data_sources": sources,
            "run_by": run_by,
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
    definition.kind, definition.name = kind, name
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
