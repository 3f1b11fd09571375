"""Demo journeys and personas for the registry's demo organisations.

Idempotent: stages are keyed by (audience, name), touchpoints by (audience, slug), personas by
(audience, name) and quotes by (persona, text); each run resets them to the values below.
Some ranked audiences are deliberately left without a journey so the liability view has
something to show.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.text import slugify

from audiences.models import Audience, Person
from journeys.models import Persona, PersonaQuote, Stage, Touchpoint

# audience slug -> [(stage, phase, [(touchpoint, channel, expects, feels, wants, obstacles,
#                                    owner key or None)])]
JOURNEYS: dict[str, dict[str, list[tuple[Any, ...]]]] = {
    "riverside": {
        "prospective-families": [
            (
                "Discover",
                "before",
                [
                    (
                        "District website",
                        "web",
                        "School ratings and boundaries in one place",
                        "Curious, a little overwhelmed",
                        "A clear comparison with charters",
                        "Boundary map is a PDF",
                        "luis",
                    ),
                    (
                        "Word of mouth",
                        "social",
                        "Honest stories from other parents",
                        "Hopeful",
                        "Reassurance",
                        "Rumours outpace facts",
                        None,
                    ),
                ],
            ),
            (
                "Visit",
                "before",
                [
                    (
                        "School tour",
                        "in_person",
                        "Meet the principal and see classrooms",
                        "Nervous about fitting in",
                        "A feeling their child belongs",
                        "Tours only at 10 am on weekdays",
                        None,
                    ),
                    (
                        "Open evening",
                        "event",
                        "Talk to teachers",
                        "Excited",
                        "Answers on programmes",
                        "Crowded gym, hard to hear",
                        None,
                    ),
                ],
            ),
            (
                "Enrol",
                "during",
                [
                    (
                        "Online enrolment form",
                        "web",
                        "Finish in one sitting",
                        "Anxious about errors",
                        "Confirmation it went through",
                        "Uploading proof of address fails on phones",
                        None,
                    ),
                ],
            ),
            (
                "First week",
                "after",
                [
                    (
                        "Welcome call",
                        "phone",
                        "A named contact",
                        "Relieved",
                        "Know who to ask",
                        "Call comes after the first day",
                        None,
                    ),
                ],
            ),
        ],
        "parents": [
            (
                "Start of year",
                "before",
                [
                    (
                        "Back-to-school letter",
                        "email",
                        "Dates, supplies, bus times",
                        "Busy",
                        "Everything in one message",
                        "Three emails with conflicting dates",
                        "luis",
                    ),
                    (
                        "Meet the teacher",
                        "event",
                        "Ten minutes with the teacher",
                        "Hopeful",
                        "Know the plan for the year",
                        "Clashes with work shifts",
                        "priya",
                    ),
                ],
            ),
            (
                "During the term",
                "during",
                [
                    (
                        "Parent portal",
                        "app",
                        "Grades and attendance today",
                        "Reassured when it works",
                        "Early warning of problems",
                        "Grades posted weeks late",
                        "luis",
                    ),
                    (
                        "Front office call",
                        "phone",
                        "Someone picks up",
                        "Frustrated when on hold",
                        "A quick answer",
                        "Lines busy at drop-off",
                        None,
                    ),
                    (
                        "Parent-teacher conference",
                        "in_person",
                        "Specific feedback",
                        "Nervous",
                        "A plan they can help with",
                        "Only two evening slots",
                        "priya",
                    ),
                ],
            ),
            (
                "End of year",
                "after",
                [
                    (
                        "Report card",
                        "mail",
                        "A clear picture of progress",
                        "Proud or worried",
                        "What to do over summer",
                        "Jargon-heavy comments",
                        "priya",
                    ),
                ],
            ),
        ],
        "teachers": [
            (
                "Onboarding",
                "before",
                [
                    (
                        "New-teacher induction",
                        "in_person",
                        "A mentor and a map of the school",
                        "Eager, unsure",
                        "Classroom ready on day one",
                        "Laptop arrives in week three",
                        "maya",
                    ),
                ],
            ),
            (
                "Teaching year",
                "during",
                [
                    (
                        "Weekly staff bulletin",
                        "email",
                        "What changed and why",
                        "Overloaded",
                        "Fewer, clearer messages",
                        "Buried in attachments",
                        "maya",
                    ),
                    (
                        "Professional development day",
                        "event",
                        "Useful, chosen training",
                        "Sceptical",
                        "Time to plan with colleagues",
                        "One-size-fits-all sessions",
                        "priya",
                    ),
                    (
                        "HR help desk",
                        "live_chat",
                        "Payroll answers the same day",
                        "Anxious about pay",
                        "A named person",
                        "Tickets bounce between offices",
                        "maya",
                    ),
                ],
            ),
            (
                "Leaving or staying",
                "after",
                [
                    (
                        "Stay interview",
                        "in_person",
                        "Being asked before it is too late",
                        "Valued",
                        "A say in their next year",
                        "Only held after resignation",
                        "maya",
                    ),
                ],
            ),
        ],
        "students": [
            (
                "Arrive",
                "before",
                [
                    (
                        "Bus ride",
                        "in_person",
                        "On time, safe",
                        "Sleepy",
                        "Friends on the bus",
                        "Late buses on route 12",
                        "tom",
                    ),
                ],
            ),
            (
                "School day",
                "during",
                [
                    (
                        "Classroom",
                        "in_person",
                        "Lessons that make sense",
                        "Engaged or bored",
                        "To be heard",
                        "Large classes",
                        "priya",
                    ),
                    (
                        "Lunch",
                        "in_person",
                        "Enough food, short queue",
                        "Hungry",
                        "Choice",
                        "Queue eats half the break",
                        "elena",
                    ),
                    (
                        "Learning app",
                        "app",
                        "Homework in one place",
                        "Confused by three apps",
                        "One login",
                        "Forgotten passwords",
                        "priya",
                    ),
                ],
            ),
            (
                "After school",
                "after",
                [
                    (
                        "Clubs and sports",
                        "event",
                        "Something they love",
                        "Excited",
                        "Belonging",
                        "Late bus only twice a week",
                        None,
                    ),
                ],
            ),
        ],
        "special-education-families": [
            (
                "Referral",
                "before",
                [
                    (
                        "Evaluation request",
                        "email",
                        "An answer within the legal timeline",
                        "Worried",
                        "Someone who explains the process",
                        "Requests sit unanswered",
                        "grace",
                    ),
                ],
            ),
            (
                "IEP meeting",
                "during",
                [
                    (
                        "IEP meeting",
                        "in_person",
                        "To be a partner, not an audience",
                        "Outnumbered",
                        "A plan that fits their child",
                        "Drafts arrive the night before",
                        "grace",
                    ),
                ],
            ),
            (
                "Support through the year",
                "after",
                [
                    (
                        "Case manager contact",
                        "phone",
                        "Calls returned in a day",
                        "Anxious",
                        "Progress updates",
                        "Case managers change mid-year",
                        "grace",
                    ),
                ],
            ),
        ],
        "donors": [
            (
                "First gift",
                "before",
                [
                    (
                        "Giving page",
                        "web",
                        "Give in two minutes",
                        "Generous",
                        "Know where money goes",
                        "Card form times out",
                        "marcus",
                    ),
                ],
            ),
            (
                "Thank and report",
                "after",
                [
                    (
                        "Thank-you letter",
                        "mail",
                        "A personal thank-you",
                        "Appreciated",
                        "See the impact",
                        "Letters arrive a month later",
                        "marcus",
                    ),
                    (
                        "Impact report",
                        "email",
                        "Stories and numbers",
                        "Proud",
                        "Reason to give again",
                        "Annual only",
                        "marcus",
                    ),
                ],
            ),
        ],
    },
    "northwind": {
        "customers": [
            (
                "Trial",
                "before",
                [
                    (
                        "Sign-up",
                        "web",
                        "Working dashboard in minutes",
                        "Curious",
                        "Quick value",
                        "Data connector setup is hard",
                        "can",
                    ),
                ],
            ),
            (
                "Onboarding",
                "during",
                [
                    (
                        "Kick-off call",
                        "phone",
                        "A plan for the first month",
                        "Hopeful",
                        "A named success manager",
                        "Scheduling takes a week",
                        "ayse",
                    ),
                ],
            ),
            (
                "Using the product",
                "after",
                [
                    (
                        "Support chat",
                        "live_chat",
                        "Answer within the hour",
                        "Blocked",
                        "Problem solved first time",
                        "Escalations lose context",
                        "ayse",
                    ),
                    (
                        "Renewal",
                        "email",
                        "No surprises",
                        "Wary of price rises",
                        "Fair pricing",
                        "Invoice arrives before the conversation",
                        "ayse",
                    ),
                ],
            ),
        ],
        "employees": [
            (
                "Joining",
                "before",
                [
                    (
                        "First day",
                        "in_person",
                        "Laptop and accounts ready",
                        "Excited",
                        "Meet the team",
                        "Accounts take two days",
                        "zeynep",
                    ),
                ],
            ),
            (
                "Working here",
                "during",
                [
                    (
                        "One-to-ones",
                        "in_person",
                        "Regular, honest feedback",
                        "Motivated",
                        "Growth",
                        "Often cancelled",
                        "zeynep",
                    ),
                ],
            ),
        ],
    },
}

# audience slug -> [(name, role, responsibilities, goals, pain points, triggers,
#                    [(quote, source, source detail)])]
PERSONAS: dict[str, dict[str, list[tuple[Any, ...]]]] = {
    "riverside": {
        "parents": [
            (
                "Working parent Pat",
                "Parent of two, works shifts",
                "School runs, homework help, forms",
                "Know how the children are doing without taking time off",
                "Letters arrive late; evening slots fill up at once",
                "A report card, a call from the nurse, a snow day",
                [
                    (
                        "I hear about field trips the day before, from my kid.",
                        "interview",
                        "Parent interviews, spring term",
                    ),
                    (
                        "The portal is great when the grades are actually in it.",
                        "survey_comment",
                        "Term 2 parent survey",
                    ),
                ],
            ),
            (
                "Newcomer Nadia",
                "Parent new to the country",
                "Enrolment, translating letters for the family",
                "Her children settle in fast",
                "Letters only in English; unsure who to ask",
                "Moving into the district",
                [
                    (
                        "Nobody told me there was a translator I could ask for.",
                        "support_call",
                        "Front office call log",
                    ),
                ],
            ),
        ],
        "teachers": [
            (
                "Second-year teacher Sam",
                "Grade 5 teacher",
                "Teaching, grading, parent contact",
                "Feel competent and stay",
                "Paperwork; no time to plan with colleagues",
                "A hard parent meeting, an observation",
                [
                    (
                        "I spent my first month without a working laptop.",
                        "interview",
                        "Stay interviews 2024",
                    ),
                    (
                        "PD days would help if we could choose them.",
                        "survey_comment",
                        "Staff survey, autumn",
                    ),
                ],
            ),
        ],
        "prospective-families": [
            (
                "Comparing Carla",
                "Parent choosing a kindergarten",
                "Researching schools, visiting",
                "The right school for her son",
                "Tour times clash with work",
                "Her son turning five",
                [
                    (
                        "The charter school gave me a Saturday tour. You only had weekdays.",
                        "review",
                        "Local parents' forum",
                    ),
                ],
            ),
        ],
        "students": [
            (
                "Ninth-grader Jordan",
                "Student, first year of high school",
                "Classes, homework, basketball",
                "Fit in and keep grades up",
                "Three different learning apps",
                "Tests, team try-outs",
                [
                    (
                        "I never know which app the homework is in.",
                        "survey_comment",
                        "Student voice survey",
                    ),
                ],
            ),
        ],
        "special-education-families": [
            (
                "Advocate parent Lee",
                "Parent of a child with an IEP",
                "Coordinating therapists, meetings and school",
                "A plan that is followed",
                "Drafts arrive too late to read",
                "An evaluation result, a new school year",
                [
                    (
                        "I walked into the IEP meeting and there were nine of them and one of me.",
                        "interview",
                        "Family listening session",
                    ),
                ],
            ),
        ],
        "donors": [
            (
                "Loyal donor Morgan",
                "Alumna, gives every December",
                "Annual gift, gala",
                "See the robotics team she funds",
                "Hears nothing between December and December",
                "Year-end appeal letter",
                [
                    (
                        "I'd give more if I knew what last year's money did.",
                        "interview",
                        "Donor calls, January",
                    ),
                ],
            ),
        ],
    },
    "northwind": {
        "customers": [
            (
                "Data lead Deniz",
                "Head of data at a mid-size retailer",
                "Dashboards for the leadership team",
                "Numbers everyone trusts",
                "Connector breaks after schema changes",
                "A board meeting next week",
                [
                    (
                        "Support fixed it, but I had to explain the problem three times.",
                        "support_call",
                        "Ticket 4821",
                    ),
                ],
            ),
        ],
    },
}


def _person(people: dict[str, Person], key: str | None) -> Person | None:
    return people.get(key) if key else None


def _journey(audience: Audience, stages: list[tuple[Any, ...]], people: dict[str, Person]) -> None:
    for position, (stage_name, phase, touchpoints) in enumerate(stages):
        stage, _ = Stage.objects.for_org(audience.organisation_id).update_or_create(
            audience=audience,
            name=stage_name,
            defaults={"organisation": audience.organisation, "phase": phase, "position": position},
        )
        for tp_position, row in enumerate(touchpoints):
            name, channel, expects, feels, wants, obstacles, owner = row
            Touchpoint.objects.for_org(audience.organisation_id).update_or_create(
                audience=audience,
                slug=slugify(name),
                defaults={
                    "organisation": audience.organisation,
                    "stage": stage,
                    "name": name,
                    "channel": channel,
                    "expectations": expects,
                    "emotions": feels,
                    "motivations": wants,
                    "obstacles": obstacles,
                    "owner": _person(people, owner),
                    "position": tp_position,
                },
            )


def _personas(audience: Audience, rows: list[tuple[Any, ...]]) -> None:
    for name, role, responsibilities, goals, pains, triggers, quotes in rows:
        persona, _ = Persona.objects.for_org(audience.organisation_id).update_or_create(
            audience=audience,
            name=name,
            defaults={
                "organisation": audience.organisation,
                "role": role,
                "responsibilities": responsibilities,
                "goals": goals,
                "pain_points": pains,
                "triggers": triggers,
            },
        )
        for text, source, detail in quotes:
            PersonaQuote.objects.update_or_create(
                persona=persona, text=text, defaults={"source": source, "source_detail": detail}
            )


@transaction.atomic
def seed_journeys(demo: dict[str, Any]) -> None:
    """Journeys and personas for the demo audiences returned by `audiences.demo.seed_registry`."""
    for org_slug, journeys in JOURNEYS.items():
        audiences = demo["audiences"][org_slug]
        people = demo["people"][org_slug]
        for audience_slug, stages in journeys.items():
            _journey(audiences[audience_slug], stages, people)
    for org_slug, personas in PERSONAS.items():
        for audience_slug, rows in personas.items():
            _personas(demo["audiences"][org_slug][audience_slug], rows)
