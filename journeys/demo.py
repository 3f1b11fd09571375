"""Demo journeys and personas for the registry's demo organisations.

Idempotent: stages are keyed by (audience, name), touchpoints by (audience, slug), personas by
(audience, name) and quotes by (persona, text); each run resets them to the values below. The
labels are seeded in the active language; a name is looked up as any interface language writes
it (a run in another language renames the same rows), and a touchpoint's slug is always made
from its English name, so it is the same whichever language seeded it.
Some ranked audiences are deliberately left without a journey so the liability view has
something to show.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import pgettext_lazy

from audiences.demo import in_english, in_every_language
from audiences.models import Audience, Person
from axreg.names import slug_from_name
from journeys.models import Persona, PersonaQuote, Stage, Touchpoint

# audience slug -> [(stage, phase, [(touchpoint, channel, expects, feels, wants, obstacles,
#                                    owner key or None)])]
JOURNEYS: dict[str, dict[str, list[tuple[Any, ...]]]] = {
    "riverside": {
        "prospective-families": [
            (
                pgettext_lazy("demo", "Discover"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "District website"),
                        "web",
                        pgettext_lazy("demo", "School ratings and boundaries in one place"),
                        pgettext_lazy("demo", "Curious, a little overwhelmed"),
                        pgettext_lazy("demo", "A clear comparison with charters"),
                        pgettext_lazy("demo", "Boundary map is a PDF"),
                        "luis",
                    ),
                    (
                        pgettext_lazy("demo", "Word of mouth"),
                        "social",
                        pgettext_lazy("demo", "Honest stories from other parents"),
                        pgettext_lazy("demo", "Hopeful"),
                        pgettext_lazy("demo", "Reassurance"),
                        pgettext_lazy("demo", "Rumours outpace facts"),
                        None,
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Visit"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "School tour"),
                        "in_person",
                        pgettext_lazy("demo", "Meet the principal and see classrooms"),
                        pgettext_lazy("demo", "Nervous about fitting in"),
                        pgettext_lazy("demo", "A feeling their child belongs"),
                        pgettext_lazy("demo", "Tours only at 10 am on weekdays"),
                        None,
                    ),
                    (
                        pgettext_lazy("demo", "Open evening"),
                        "event",
                        pgettext_lazy("demo", "Talk to teachers"),
                        pgettext_lazy("demo", "Excited"),
                        pgettext_lazy("demo", "Answers on programmes"),
                        pgettext_lazy("demo", "Crowded gym, hard to hear"),
                        None,
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Enrol"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "Online enrolment form"),
                        "web",
                        pgettext_lazy("demo", "Finish in one sitting"),
                        pgettext_lazy("demo", "Anxious about errors"),
                        pgettext_lazy("demo", "Confirmation it went through"),
                        pgettext_lazy("demo", "Uploading proof of address fails on phones"),
                        None,
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "First week"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Welcome call"),
                        "phone",
                        pgettext_lazy("demo", "A named contact"),
                        pgettext_lazy("demo", "Relieved"),
                        pgettext_lazy("demo", "Know who to ask"),
                        pgettext_lazy("demo", "Call comes after the first day"),
                        None,
                    ),
                ],
            ),
        ],
        "parents": [
            (
                pgettext_lazy("demo", "Start of year"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "Back-to-school letter"),
                        "email",
                        pgettext_lazy("demo", "Dates, supplies, bus times"),
                        pgettext_lazy("demo", "Busy"),
                        pgettext_lazy("demo", "Everything in one message"),
                        pgettext_lazy("demo", "Three emails with conflicting dates"),
                        "luis",
                    ),
                    (
                        pgettext_lazy("demo", "Meet the teacher"),
                        "event",
                        pgettext_lazy("demo", "Ten minutes with the teacher"),
                        pgettext_lazy("demo", "Hopeful"),
                        pgettext_lazy("demo", "Know the plan for the year"),
                        pgettext_lazy("demo", "Clashes with work shifts"),
                        "priya",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "During the term"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "Parent portal"),
                        "app",
                        pgettext_lazy("demo", "Grades and attendance today"),
                        pgettext_lazy("demo", "Reassured when it works"),
                        pgettext_lazy("demo", "Early warning of problems"),
                        pgettext_lazy("demo", "Grades posted weeks late"),
                        "luis",
                    ),
                    (
                        pgettext_lazy("demo", "Front office call"),
                        "phone",
                        pgettext_lazy("demo", "Someone picks up"),
                        pgettext_lazy("demo", "Frustrated when on hold"),
                        pgettext_lazy("demo", "A quick answer"),
                        pgettext_lazy("demo", "Lines busy at drop-off"),
                        None,
                    ),
                    (
                        pgettext_lazy("demo", "Parent-teacher conference"),
                        "in_person",
                        pgettext_lazy("demo", "Specific feedback"),
                        pgettext_lazy("demo", "Nervous"),
                        pgettext_lazy("demo", "A plan they can help with"),
                        pgettext_lazy("demo", "Only two evening slots"),
                        "priya",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "End of year"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Report card"),
                        "mail",
                        pgettext_lazy("demo", "A clear picture of progress"),
                        pgettext_lazy("demo", "Proud or worried"),
                        pgettext_lazy("demo", "What to do over summer"),
                        pgettext_lazy("demo", "Jargon-heavy comments"),
                        "priya",
                    ),
                ],
            ),
        ],
        "teachers": [
            (
                pgettext_lazy("demo", "Onboarding"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "New-teacher induction"),
                        "in_person",
                        pgettext_lazy("demo", "A mentor and a map of the school"),
                        pgettext_lazy("demo", "Eager, unsure"),
                        pgettext_lazy("demo", "Classroom ready on day one"),
                        pgettext_lazy("demo", "Laptop arrives in week three"),
                        "maya",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Teaching year"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "Weekly staff bulletin"),
                        "email",
                        pgettext_lazy("demo", "What changed and why"),
                        pgettext_lazy("demo", "Overloaded"),
                        pgettext_lazy("demo", "Fewer, clearer messages"),
                        pgettext_lazy("demo", "Buried in attachments"),
                        "maya",
                    ),
                    (
                        pgettext_lazy("demo", "Professional development day"),
                        "event",
                        pgettext_lazy("demo", "Useful, chosen training"),
                        pgettext_lazy("demo", "Sceptical"),
                        pgettext_lazy("demo", "Time to plan with colleagues"),
                        pgettext_lazy("demo", "One-size-fits-all sessions"),
                        "priya",
                    ),
                    (
                        pgettext_lazy("demo", "HR help desk"),
                        "live_chat",
                        pgettext_lazy("demo", "Payroll answers the same day"),
                        pgettext_lazy("demo", "Anxious about pay"),
                        pgettext_lazy("demo", "A named person"),
                        pgettext_lazy("demo", "Tickets bounce between offices"),
                        "maya",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Leaving or staying"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Stay interview"),
                        "in_person",
                        pgettext_lazy("demo", "Being asked before it is too late"),
                        pgettext_lazy("demo", "Valued"),
                        pgettext_lazy("demo", "A say in their next year"),
                        pgettext_lazy("demo", "Only held after resignation"),
                        "maya",
                    ),
                ],
            ),
        ],
        "students": [
            (
                pgettext_lazy("demo", "Arrive"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "Bus ride"),
                        "in_person",
                        pgettext_lazy("demo", "On time, safe"),
                        pgettext_lazy("demo", "Sleepy"),
                        pgettext_lazy("demo", "Friends on the bus"),
                        pgettext_lazy("demo", "Late buses on route 12"),
                        "tom",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "School day"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "Classroom"),
                        "in_person",
                        pgettext_lazy("demo", "Lessons that make sense"),
                        pgettext_lazy("demo", "Engaged or bored"),
                        pgettext_lazy("demo", "To be heard"),
                        pgettext_lazy("demo", "Large classes"),
                        "priya",
                    ),
                    (
                        pgettext_lazy("demo", "Lunch"),
                        "in_person",
                        pgettext_lazy("demo", "Enough food, short queue"),
                        pgettext_lazy("demo", "Hungry"),
                        pgettext_lazy("demo", "Choice"),
                        pgettext_lazy("demo", "Queue eats half the break"),
                        "elena",
                    ),
                    (
                        pgettext_lazy("demo", "Learning app"),
                        "app",
                        pgettext_lazy("demo", "Homework in one place"),
                        pgettext_lazy("demo", "Confused by three apps"),
                        pgettext_lazy("demo", "One login"),
                        pgettext_lazy("demo", "Forgotten passwords"),
                        "priya",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "After school"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Clubs and sports"),
                        "event",
                        pgettext_lazy("demo", "Something they love"),
                        pgettext_lazy("demo", "Excited"),
                        pgettext_lazy("demo", "Belonging"),
                        pgettext_lazy("demo", "Late bus only twice a week"),
                        None,
                    ),
                ],
            ),
        ],
        "special-education-families": [
            (
                pgettext_lazy("demo", "Referral"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "Evaluation request"),
                        "email",
                        pgettext_lazy("demo", "An answer within the legal timeline"),
                        pgettext_lazy("demo", "Worried"),
                        pgettext_lazy("demo", "Someone who explains the process"),
                        pgettext_lazy("demo", "Requests sit unanswered"),
                        "grace",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "IEP meeting"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "IEP meeting"),
                        "in_person",
                        pgettext_lazy("demo", "To be a partner, not an audience"),
                        pgettext_lazy("demo", "Outnumbered"),
                        pgettext_lazy("demo", "A plan that fits their child"),
                        pgettext_lazy("demo", "Drafts arrive the night before"),
                        "grace",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Support through the year"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Case manager contact"),
                        "phone",
                        pgettext_lazy("demo", "Calls returned in a day"),
                        pgettext_lazy("demo", "Anxious"),
                        pgettext_lazy("demo", "Progress updates"),
                        pgettext_lazy("demo", "Case managers change mid-year"),
                        "grace",
                    ),
                ],
            ),
        ],
        "donors": [
            (
                pgettext_lazy("demo", "First gift"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "Giving page"),
                        "web",
                        pgettext_lazy("demo", "Give in two minutes"),
                        pgettext_lazy("demo", "Generous"),
                        pgettext_lazy("demo", "Know where money goes"),
                        pgettext_lazy("demo", "Card form times out"),
                        "marcus",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Thank and report"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Thank-you letter"),
                        "mail",
                        pgettext_lazy("demo", "A personal thank-you"),
                        pgettext_lazy("demo", "Appreciated"),
                        pgettext_lazy("demo", "See the impact"),
                        pgettext_lazy("demo", "Letters arrive a month later"),
                        "marcus",
                    ),
                    (
                        pgettext_lazy("demo", "Impact report"),
                        "email",
                        pgettext_lazy("demo", "Stories and numbers"),
                        pgettext_lazy("demo", "Proud"),
                        pgettext_lazy("demo", "Reason to give again"),
                        pgettext_lazy("demo", "Annual only"),
                        "marcus",
                    ),
                ],
            ),
        ],
    },
    "northwind": {
        "customers": [
            (
                pgettext_lazy("demo", "Trial"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "Sign-up"),
                        "web",
                        pgettext_lazy("demo", "Working dashboard in minutes"),
                        pgettext_lazy("demo", "Curious"),
                        pgettext_lazy("demo", "Quick value"),
                        pgettext_lazy("demo", "Data connector setup is hard"),
                        "can",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Onboarding"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "Kick-off call"),
                        "phone",
                        pgettext_lazy("demo", "A plan for the first month"),
                        pgettext_lazy("demo", "Hopeful"),
                        pgettext_lazy("demo", "A named success manager"),
                        pgettext_lazy("demo", "Scheduling takes a week"),
                        "ayse",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Using the product"),
                "after",
                [
                    (
                        pgettext_lazy("demo", "Support chat"),
                        "live_chat",
                        pgettext_lazy("demo", "Answer within the hour"),
                        pgettext_lazy("demo", "Blocked"),
                        pgettext_lazy("demo", "Problem solved first time"),
                        pgettext_lazy("demo", "Escalations lose context"),
                        "ayse",
                    ),
                    (
                        pgettext_lazy("demo", "Renewal"),
                        "email",
                        pgettext_lazy("demo", "No surprises"),
                        pgettext_lazy("demo", "Wary of price rises"),
                        pgettext_lazy("demo", "Fair pricing"),
                        pgettext_lazy("demo", "Invoice arrives before the conversation"),
                        "ayse",
                    ),
                ],
            ),
        ],
        "employees": [
            (
                pgettext_lazy("demo", "Joining"),
                "before",
                [
                    (
                        pgettext_lazy("demo", "First day"),
                        "in_person",
                        pgettext_lazy("demo", "Laptop and accounts ready"),
                        pgettext_lazy("demo", "Excited"),
                        pgettext_lazy("demo", "Meet the team"),
                        pgettext_lazy("demo", "Accounts take two days"),
                        "zeynep",
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Working here"),
                "during",
                [
                    (
                        pgettext_lazy("demo", "One-to-ones"),
                        "in_person",
                        pgettext_lazy("demo", "Regular, honest feedback"),
                        pgettext_lazy("demo", "Motivated"),
                        pgettext_lazy("demo", "Growth"),
                        pgettext_lazy("demo", "Often cancelled"),
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
                pgettext_lazy("demo", "Working parent Pat"),
                pgettext_lazy("demo", "Parent of two, works shifts"),
                pgettext_lazy("demo", "School runs, homework help, forms"),
                pgettext_lazy("demo", "Know how the children are doing without taking time off"),
                pgettext_lazy("demo", "Letters arrive late; evening slots fill up at once"),
                pgettext_lazy("demo", "A report card, a call from the nurse, a snow day"),
                [
                    (
                        pgettext_lazy(
                            "demo", "I hear about field trips the day before, from my kid."
                        ),
                        "interview",
                        pgettext_lazy("demo", "Parent interviews, spring term"),
                    ),
                    (
                        pgettext_lazy(
                            "demo", "The portal is great when the grades are actually in it."
                        ),
                        "survey_comment",
                        pgettext_lazy("demo", "Term 2 parent survey"),
                    ),
                ],
            ),
            (
                pgettext_lazy("demo", "Newcomer Nadia"),
                pgettext_lazy("demo", "Parent new to the country"),
                pgettext_lazy("demo", "Enrolment, translating letters for the family"),
                pgettext_lazy("demo", "Her children settle in fast"),
                pgettext_lazy("demo", "Letters only in English; unsure who to ask"),
                pgettext_lazy("demo", "Moving into the district"),
                [
                    (
                        pgettext_lazy(
                            "demo", "Nobody told me there was a translator I could ask for."
                        ),
                        "support_call",
                        pgettext_lazy("demo", "Front office call log"),
                    ),
                ],
            ),
        ],
        "teachers": [
            (
                pgettext_lazy("demo", "Second-year teacher Sam"),
                pgettext_lazy("demo", "Grade 5 teacher"),
                pgettext_lazy("demo", "Teaching, grading, parent contact"),
                pgettext_lazy("demo", "Feel competent and stay"),
                pgettext_lazy("demo", "Paperwork; no time to plan with colleagues"),
                pgettext_lazy("demo", "A hard parent meeting, an observation"),
                [
                    (
                        pgettext_lazy("demo", "I spent my first month without a working laptop."),
                        "interview",
                        pgettext_lazy("demo", "Stay interviews 2024"),
                    ),
                    (
                        pgettext_lazy("demo", "PD days would help if we could choose them."),
                        "survey_comment",
                        pgettext_lazy("demo", "Staff survey, autumn"),
                    ),
                ],
            ),
        ],
        "prospective-families": [
            (
                pgettext_lazy("demo", "Comparing Carla"),
                pgettext_lazy("demo", "Parent choosing a kindergarten"),
                pgettext_lazy("demo", "Researching schools, visiting"),
                pgettext_lazy("demo", "The right school for her son"),
                pgettext_lazy("demo", "Tour times clash with work"),
                pgettext_lazy("demo", "Her son turning five"),
                [
                    (
                        pgettext_lazy(
                            "demo",
                            "The charter school gave me a Saturday tour. You only had weekdays.",
                        ),
                        "review",
                        pgettext_lazy("demo", "Local parents' forum"),
                    ),
                ],
            ),
        ],
        "students": [
            (
                pgettext_lazy("demo", "Ninth-grader Jordan"),
                pgettext_lazy("demo", "Student, first year of high school"),
                pgettext_lazy("demo", "Classes, homework, basketball"),
                pgettext_lazy("demo", "Fit in and keep grades up"),
                pgettext_lazy("demo", "Three different learning apps"),
                pgettext_lazy("demo", "Tests, team try-outs"),
                [
                    (
                        pgettext_lazy("demo", "I never know which app the homework is in."),
                        "survey_comment",
                        pgettext_lazy("demo", "Student voice survey"),
                    ),
                ],
            ),
        ],
        "special-education-families": [
            (
                pgettext_lazy("demo", "Advocate parent Lee"),
                pgettext_lazy("demo", "Parent of a child with an IEP"),
                pgettext_lazy("demo", "Coordinating therapists, meetings and school"),
                pgettext_lazy("demo", "A plan that is followed"),
                pgettext_lazy("demo", "Drafts arrive too late to read"),
                pgettext_lazy("demo", "An evaluation result, a new school year"),
                [
                    (
                        pgettext_lazy(
                            "demo",
                            "I walked into the IEP meeting and there were nine of them and one "
                            "of me.",
                        ),
                        "interview",
                        pgettext_lazy("demo", "Family listening session"),
                    ),
                ],
            ),
        ],
        "donors": [
            (
                pgettext_lazy("demo", "Loyal donor Morgan"),
                pgettext_lazy("demo", "Alumna, gives every December"),
                pgettext_lazy("demo", "Annual gift, gala"),
                pgettext_lazy("demo", "See the robotics team she funds"),
                pgettext_lazy("demo", "Hears nothing between December and December"),
                pgettext_lazy("demo", "Year-end appeal letter"),
                [
                    (
                        pgettext_lazy(
                            "demo", "I'd give more if I knew what last year's money did."
                        ),
                        "interview",
                        pgettext_lazy("demo", "Donor calls, January"),
                    ),
                ],
            ),
        ],
    },
    "northwind": {
        "customers": [
            (
                pgettext_lazy("demo", "Data lead Deniz"),
                pgettext_lazy("demo", "Head of data at a mid-size retailer"),
                pgettext_lazy("demo", "Dashboards for the leadership team"),
                pgettext_lazy("demo", "Numbers everyone trusts"),
                pgettext_lazy("demo", "Connector breaks after schema changes"),
                pgettext_lazy("demo", "A board meeting next week"),
                [
                    (
                        pgettext_lazy(
                            "demo",
                            "Support fixed it, but I had to explain the problem three times.",
                        ),
                        "support_call",
                        pgettext_lazy("demo", "Ticket 4821"),
                    ),
                ],
            ),
        ],
    },
}


def _person(people: dict[str, Person], key: str | None) -> Person | None:
    return people.get(key) if key else None


def touchpoint_slug(name: Any) -> str:
    """The demo touchpoint's slug, the same in every language: its English name slugified."""
    return slug_from_name(in_english(name))


def _journey(audience: Audience, stages: list[tuple[Any, ...]], people: dict[str, Person]) -> None:
    stages_here = Stage.objects.for_org(audience.organisation_id).filter(audience=audience)
    for position, (stage_name, phase, touchpoints) in enumerate(stages):
        stage = stages_here.filter(name__in=in_every_language(stage_name)).first() or Stage(
            organisation=audience.organisation, audience=audience
        )
        stage.name, stage.phase, stage.position = str(stage_name), phase, position
        stage.save()
        for tp_position, row in enumerate(touchpoints):
            name, channel, expects, feels, wants, obstacles, owner = row
            Touchpoint.objects.for_org(audience.organisation_id).update_or_create(
                audience=audience,
                slug=touchpoint_slug(name),
                defaults={
                    "organisation": audience.organisation,
                    "stage": stage,
                    "name": str(name),
                    "channel": channel,
                    "expectations": str(expects),
                    "emotions": str(feels),
                    "motivations": str(wants),
                    "obstacles": str(obstacles),
                    "owner": _person(people, owner),
                    "position": tp_position,
                },
            )


def _personas(audience: Audience, rows: list[tuple[Any, ...]]) -> None:
    personas_here = Persona.objects.for_org(audience.organisation_id).filter(audience=audience)
    for name, role, responsibilities, goals, pains, triggers, quotes in rows:
        persona = personas_here.filter(name__in=in_every_language(name)).first() or Persona(
            organisation=audience.organisation, audience=audience
        )
        persona.name, persona.role = str(name), str(role)
        persona.responsibilities, persona.goals = str(responsibilities), str(goals)
        persona.pain_points, persona.triggers = str(pains), str(triggers)
        persona.save()
        for text, source, detail in quotes:
            quote = PersonaQuote.objects.filter(
                persona=persona, text__in=in_every_language(text)
            ).first() or PersonaQuote(persona=persona)
            quote.text, quote.source, quote.source_detail = str(text), source, str(detail)
            quote.save()


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
