"""Demo data for the registry: a school district modelled on the brief, and a small SaaS company.

Idempotent: natural keys (organisation slug, user e-mail, person e-mail, audience slug) are
looked up first, and the demo's own fields are reset to the values below on every run. A demo
user's password is set only when it no longer matches, so their sessions survive a re-run.

The labels are seeded in the active language (`seed_demo --language`, which seeds inside
`translation.override`): a run in another language puts that language's labels on the same
rows, found by the same keys.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import pgettext, pgettext_lazy

from audiences.models import (
    Audience,
    AudienceKind,
    LifecycleStage,
    Membership,
    Organisation,
    Person,
)

K = AudienceKind
PASSWORDS = {"lead": "ax-demo-lead", "owner": "ax-demo-owner", "viewer": "ax-demo-viewer"}

RIVERSIDE_NAME = pgettext_lazy("demo", "Riverside School District")


def in_every_language(label: Any) -> set[str]:
    """A demo label (a lazy translation) as each interface language writes it: the texts an
    earlier run of seed_demo may have stored, in whichever language it was run."""
    texts = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts.add(str(label))
    return texts


def in_english(label: Any) -> str:
    """A demo label in English, for the keys made from it (touchpoint slugs)."""
    with translation.override("en-gb"):
        return str(label)


# Every label below is marked with the context "demo" (sample data, translated on its own), and
# seeded in the language of `seed_demo --language`. Slugs, e-mail addresses and passwords stay
# as they are in every language: tests, sign-ins and integrations rely on them.
RIVERSIDE_PEOPLE = [
    # (key, name, email, title, department). Translators: a district's staff, named as people
    # in a Korean (Turkish) school district would be.
    ("maya", pgettext_lazy("demo", "Maya Chen"), "maya.chen@riverside.example",
     pgettext_lazy("demo", "Director of Human Resources"), pgettext_lazy("demo", "HR")),
    ("luis", pgettext_lazy("demo", "Luis Ortega"), "luis.ortega@riverside.example",
     pgettext_lazy("demo", "Communications Director"), pgettext_lazy("demo", "Communications")),
    ("priya", pgettext_lazy("demo", "Priya Natarajan"), "priya.natarajan@riverside.example",
     pgettext_lazy("demo", "Assistant Superintendent, Teaching & Learning"),
     pgettext_lazy("demo", "Academics")),
    ("grace", pgettext_lazy("demo", "Grace Okafor"), "grace.okafor@riverside.example",
     pgettext_lazy("demo", "Director of Special Education"),
     pgettext_lazy("demo", "Student Services")),
    ("tom", pgettext_lazy("demo", "Tom Becker"), "tom.becker@riverside.example",
     pgettext_lazy("demo", "Transportation Manager"), pgettext_lazy("demo", "Operations")),
    ("elena", pgettext_lazy("demo", "Elena Rossi"), "elena.rossi@riverside.example",
     pgettext_lazy("demo", "Food Services Director"), pgettext_lazy("demo", "Operations")),
    ("marcus", pgettext_lazy("demo", "Marcus Hill"), "marcus.hill@riverside.example",
     pgettext_lazy("demo", "Executive Director"),
     pgettext_lazy("demo", "Riverside Education Foundation")),
    ("sarah", pgettext_lazy("demo", "Sarah Lindqvist"), "sarah.lindqvist@riverside.example",
     pgettext_lazy("demo", "Board Secretary"), pgettext_lazy("demo", "Superintendent's Office")),
    ("jamal", pgettext_lazy("demo", "Jamal Reed"), "jamal.reed@riverside.example",
     pgettext_lazy("demo", "Community Partnerships Coordinator"),
     pgettext_lazy("demo", "Community Engagement")),
    ("hannah", pgettext_lazy("demo", "Hannah Brooks"), "hannah.brooks@riverside.example",
     pgettext_lazy("demo", "Compliance Officer"), pgettext_lazy("demo", "Finance & Compliance")),
]  # fmt: skip

# (slug, name, kind, kind_label, stage, owner key or None, rank or None, description, why)
RIVERSIDE_AUDIENCES: list[tuple[Any, ...]] = [
    ("students", pgettext_lazy("demo", "Students"), K.STUDENT, "", "current", "priya", 1,
     pgettext_lazy("demo", "The 14,000 K-12 students across 22 schools."),
     pgettext_lazy("demo", "Student learning and wellbeing is the district's reason to exist.")),
    ("parents", pgettext_lazy("demo", "Parents and guardians"), K.PARENT, "", "current", "luis", 2,
     pgettext_lazy("demo", "Families of the 14,000 enrolled students: about 9,000 households."),
     pgettext_lazy("demo", "Parents choose, support and speak for the district; their trust "
                   "drives enrolment.")),
    ("teachers", pgettext_lazy("demo", "Teachers"), K.EMPLOYEE, "", "current", "maya", 3,
     pgettext_lazy("demo", "About 1,000 classroom teachers and instructional coaches."),
     pgettext_lazy("demo", "Teacher experience shapes student experience; turnover is costly.")),
    ("special-education-families", pgettext_lazy("demo", "Special-education families"), K.PARENT,
     "", "current", "grace", 4,
     pgettext_lazy("demo", "Families of students with an IEP or 504 plan."),
     pgettext_lazy("demo", "Legal obligations and the highest-stakes interactions the district "
                   "has.")),
    ("teacher-candidates", pgettext_lazy("demo", "Teacher candidates"), K.CANDIDATE, "",
     "prospective", "maya", 5,
     pgettext_lazy("demo", "Applicants and student teachers from partner universities."),
     pgettext_lazy("demo", "The district competes with neighbours for scarce certified "
                   "teachers.")),
    ("prospective-families", pgettext_lazy("demo", "Prospective families"), K.PROSPECT, "",
     "prospective", None, 6,
     pgettext_lazy("demo", "Families deciding between district, charter and private schools."),
     pgettext_lazy("demo", "Enrolment funds the district; the first visit decides a lot.")),
    ("support-staff", pgettext_lazy("demo", "Support staff"), K.EMPLOYEE, "", "current", None, 7,
     pgettext_lazy("demo", "Paraprofessionals, custodians, office staff and nurses."),
     pgettext_lazy("demo", "They run the buildings and see families every day.")),
    ("school-board", pgettext_lazy("demo", "School board"), K.OTHER,
     pgettext_lazy("demo", "Governance"), "current", "sarah", 8,
     pgettext_lazy("demo", "The seven elected trustees."),
     pgettext_lazy("demo", "The board sets policy and approves the budget.")),
    ("donors", pgettext_lazy("demo", "Foundation donors"), K.DONOR, "", "current", "marcus", 9,
     pgettext_lazy("demo", "About 650 people and companies giving monthly to the Riverside "
                   "Education Foundation."),
     pgettext_lazy("demo", "Donations fund arts, robotics and classroom grants the budget "
                   "cannot.")),
    ("bus-contractor", pgettext_lazy("demo", "Bus contractor"), K.SUPPLIER, "", "current", "tom",
     10, pgettext_lazy("demo", "The company operating 140 school bus routes."),
     pgettext_lazy("demo", "Late buses are the first thing families notice.")),
    ("alumni", pgettext_lazy("demo", "Alumni"), K.ALUMNI, "", "former", "marcus", None,
     pgettext_lazy("demo", "Graduates of Riverside high schools."),
     pgettext_lazy("demo", "Future donors, mentors and parents.")),
    ("local-media", pgettext_lazy("demo", "Local media"), K.MEDIA, "", "current", "luis", None,
     pgettext_lazy("demo", "The county newspaper, two TV stations and parent bloggers."),
     pgettext_lazy("demo", "How the community hears about the district.")),
    ("food-service-supplier", pgettext_lazy("demo", "Food-service supplier"), K.SUPPLIER, "",
     "current", "elena", None, pgettext_lazy("demo", "The vendor supplying school meals."),
     pgettext_lazy("demo", "Meals reach every student every day.")),
    ("community-partners", pgettext_lazy("demo", "Community partners"), K.OTHER,
     pgettext_lazy("demo", "Community partner"), "current", "jamal", None,
     pgettext_lazy("demo", "Libraries, clinics and youth organisations working with schools."),
     pgettext_lazy("demo", "Partners extend what schools can offer.")),
    ("volunteers", pgettext_lazy("demo", "Volunteers"), K.OTHER,
     pgettext_lazy("demo", "Volunteer"), "current", "jamal", None,
     pgettext_lazy("demo", "Reading buddies, chaperones and PTA volunteers."),
     pgettext_lazy("demo", "Thousands of hours a year.")),
    ("local-businesses", pgettext_lazy("demo", "Local businesses"), K.OTHER,
     pgettext_lazy("demo", "Local business"), "current", "jamal", None,
     pgettext_lazy("demo", "Employers offering internships and sponsorships."),
     pgettext_lazy("demo", "Work-based learning depends on them.")),
    ("state-regulators", pgettext_lazy("demo", "State regulators"), K.OTHER,
     pgettext_lazy("demo", "Regulator"), "current", "hannah", None,
     pgettext_lazy("demo", "The state department of education and auditors."),
     pgettext_lazy("demo", "Compliance and funding.")),
    ("after-school-families", pgettext_lazy("demo", "After-school programme families"), K.PARENT,
     "", "current", None, None,
     pgettext_lazy("demo", "Families using before- and after-school care."),
     pgettext_lazy("demo", "A paid service with a waiting list.")),
    ("graduates-employers", pgettext_lazy("demo", "Graduates' employers"), K.OTHER,
     pgettext_lazy("demo", "Employer of graduates"), "current", None, None,
     pgettext_lazy("demo", "Companies hiring Riverside graduates."),
     pgettext_lazy("demo", "They judge how ready graduates are.")),
    ("social-followers", pgettext_lazy("demo", "Social media followers"), K.FAN, "", "current",
     "luis", None, pgettext_lazy("demo", "Followers of the district's social accounts."),
     pgettext_lazy("demo", "The fastest channel in a snow day.")),
    ("substitute-teachers", pgettext_lazy("demo", "Substitute teachers"), K.EMPLOYEE, "",
     "current", None, None, pgettext_lazy("demo", "The pool of on-call substitutes."),
     pgettext_lazy("demo", "Classes go uncovered when they stop answering.")),
    ("taxpayers", pgettext_lazy("demo", "Local taxpayers"), K.OTHER,
     pgettext_lazy("demo", "Resident"), "current", None, None,
     pgettext_lazy("demo", "Residents without children in the schools."),
     pgettext_lazy("demo", "They vote on bond measures.")),
]  # fmt: skip

# Northwind is a company in Istanbul: its people keep the names they write themselves (already
# Turkish) in every language, and so does its brand; their titles are translated.
NORTHWIND_PEOPLE = [
    ("ayse", "Ayşe Demir", "ayse.demir@northwind.example",
     pgettext_lazy("demo", "Head of Customer Success"), pgettext_lazy("demo", "Customer")),
    ("can", "Can Aydın", "can.aydin@northwind.example", pgettext_lazy("demo", "Sales Director"),
     pgettext_lazy("demo", "Sales")),
    ("zeynep", "Zeynep Kaya", "zeynep.kaya@northwind.example",
     pgettext_lazy("demo", "People Operations Lead"), pgettext_lazy("demo", "People")),
]  # fmt: skip

NORTHWIND_AUDIENCES: list[tuple[Any, ...]] = [
    ("customers", pgettext_lazy("demo", "Customers"), K.CUSTOMER, "", "current", "ayse", 1,
     pgettext_lazy("demo", "Companies subscribed to Northwind Analytics."),
     pgettext_lazy("demo", "Recurring revenue.")),
    ("prospects", pgettext_lazy("demo", "Prospects"), K.PROSPECT, "", "prospective", "can", 2,
     pgettext_lazy("demo", "Teams on a trial or in a sales conversation."),
     pgettext_lazy("demo", "Pipeline for next year's growth.")),
    ("employees", pgettext_lazy("demo", "Employees"), K.EMPLOYEE, "", "current", "zeynep", 3,
     pgettext_lazy("demo", "The 80 people working at Northwind."),
     pgettext_lazy("demo", "EX drives CX.")),
    ("resellers", pgettext_lazy("demo", "Resellers"), K.RESELLER, "", "current", None, 4,
     pgettext_lazy("demo", "Consultancies reselling Northwind in the region."),
     pgettext_lazy("demo", "A third of new customers.")),
    ("investors", pgettext_lazy("demo", "Investors"), K.INVESTOR, "", "current", None, None,
     pgettext_lazy("demo", "Seed and series A investors."),
     pgettext_lazy("demo", "They fund the roadmap.")),
]  # fmt: skip

# The sign-ins: (organisation slug, role, email, name, note on the printout). The lead of
# Riverside, the owners Maya Chen and Luis Ortega are also people of the registry above.
RIVERSIDE_SIGN_INS = [
    ("lead", "avery.johnson@riverside.example", pgettext_lazy("demo", "Avery Johnson"),
     pgettext_lazy("demo", "CX lead")),
    ("owner", "maya.chen@riverside.example", pgettext_lazy("demo", "Maya Chen"),
     pgettext_lazy("demo", "HR: teachers, candidates")),
    ("owner", "luis.ortega@riverside.example", pgettext_lazy("demo", "Luis Ortega"),
     pgettext_lazy("demo", "communications: parents, media")),
    ("viewer", "sam.patel@riverside.example", pgettext_lazy("demo", "Sam Patel"),
     pgettext_lazy("demo", "superintendent")),
]  # fmt: skip


def _first_and_last(name: str) -> tuple[str, str]:
    """A user's first and last name from a full one. Korean writes the family name first, and
    Django's full name is "first last": a Korean name is kept whole as the first name."""
    if (translation.get_language() or "").startswith("ko"):
        return name, ""
    first, _, last = name.partition(" ")
    return first, last


def _user(email: str, name: str, password: str):
    first, last = _first_and_last(name)
    user, created = get_user_model().objects.get_or_create(
        username=email, defaults={"email": email, "first_name": first, "last_name": last}
    )
    user.email, user.first_name, user.last_name = email, first, last
    # A new salt would change the hash, and with it every session's auth hash: seeding again
    # would sign the demo users out. Only a new or changed password is set.
    if created or not user.check_password(password):
        user.set_password(password)
    user.save()
    return user


def _member(user, organisation: Organisation, role: str) -> None:
    Membership.objects.for_org(organisation).update_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )


def _organisation(slug: str, name: Any, timezone: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        slug=slug, defaults={"name": str(name), "timezone": timezone}
    )
    return organisation


def _people(organisation: Organisation, rows: list[tuple[str, ...]]) -> dict[str, Person]:
    people = {}
    for key, name, email, title, department in rows:
        people[key], _ = Person.objects.for_org(organisation).update_or_create(
            organisation=organisation,
            email=email,
            defaults={"name": str(name), "title": str(title), "department": str(department)},
        )
    return people


def _audiences(
    organisation: Organisation, rows: list[tuple[Any, ...]], people: dict[str, Person]
) -> dict[str, Audience]:
    # Clear ranks first: the demo's ranks may collide with an order a user set since last run.
    Audience.objects.for_org(organisation).update(rank=None)
    audiences = {}
    for slug, name, kind, label, stage, owner, rank, description, why in rows:
        audiences[slug], _ = Audience.objects.for_org(organisation).update_or_create(
            organisation=organisation,
            slug=slug,
            defaults={
                "name": str(name),
                "kind": kind,
                "kind_label": str(label),
                "stage": LifecycleStage(stage),
                "owner": people[owner] if owner else None,
                "rank": rank,
                "archived": False,
                "description": str(description),
                "why_it_matters": str(why),
            },
        )
    return audiences


def _link(person: Person, user) -> None:
    person.user = user
    person.save(update_fields=["user"])


@transaction.atomic
def seed_registry() -> dict[str, Any]:
    """Organisations, people, audiences, users and memberships of the demo.

    Returns {"organisations": {slug: Organisation}, "audiences": {org slug: {slug: Audience}},
    "people": {org slug: {key: Person}}, "sign_ins": [{"organisation", "role", "email",
    "password", "name"}]} for the later seeding steps and the printout.
    """
    riverside = _organisation("riverside", RIVERSIDE_NAME, "America/New_York")
    northwind = _organisation("northwind", "Northwind Analytics", "Europe/Istanbul")
    people = {
        "riverside": _people(riverside, RIVERSIDE_PEOPLE),
        "northwind": _people(northwind, NORTHWIND_PEOPLE),
    }
    audiences = {
        "riverside": _audiences(riverside, RIVERSIDE_AUDIENCES, people["riverside"]),
        "northwind": _audiences(northwind, NORTHWIND_AUDIENCES, people["northwind"]),
    }
    sign_ins: list[dict[str, str]] = []

    def sign_in(organisation, role, email, name, note) -> Any:
        user = _user(email, str(name), PASSWORDS[role])
        _member(user, organisation, role)
        sign_ins.append(
            {
                "organisation": organisation.name,
                "role": role,
                "email": email,
                "password": PASSWORDS[role],
                "name": f"{name} ({note})",
            }
        )
        return user

    lead, hr, comms, _superintendent = (
        sign_in(riverside, role, email, name, note)
        for role, email, name, note in RIVERSIDE_SIGN_INS
    )
    _link(people["riverside"]["maya"], hr)
    _link(people["riverside"]["luis"], comms)
    sign_in(
        northwind,
        "lead",
        "ada.yilmaz@northwind.example",
        "Ada Yılmaz",
        pgettext_lazy("demo", "CX lead"),
    )
    # The Riverside lead also reads Northwind, so the organisation switcher has something to show.
    _member(lead, northwind, "viewer")
    also_lead = pgettext("demo", "also lead of Riverside")
    sign_ins.append(
        {
            "organisation": northwind.name,
            "role": "viewer",
            "email": lead.email,
            "password": PASSWORDS["lead"],
            "name": f"{lead.get_full_name()} ({also_lead})",
        }
    )
    return {
        "organisations": {"riverside": riverside, "northwind": northwind},
        "audiences": audiences,
        "people": people,
        "sign_ins": sign_ins,
    }
