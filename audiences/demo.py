"""Demo data for the registry: a school district modelled on the brief, and a small SaaS company.

Idempotent: natural keys (organisation slug, user e-mail, person e-mail, audience slug) are
looked up first, and the demo's own fields are reset to the values below on every run. A demo
user's password is set only when it no longer matches, so their sessions survive a re-run.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

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

RIVERSIDE_PEOPLE = [
    # (key, name, email, title, department)
    ("maya", "Maya Chen", "maya.chen@riverside.example", "Director of Human Resources", "HR"),
    ("luis", "Luis Ortega", "luis.ortega@riverside.example", "Communications Director",
     "Communications"),
    ("priya", "Priya Natarajan", "priya.natarajan@riverside.example",
     "Assistant Superintendent, Teaching & Learning", "Academics"),
    ("grace", "Grace Okafor", "grace.okafor@riverside.example", "Director of Special Education",
     "Student Services"),
    ("tom", "Tom Becker", "tom.becker@riverside.example", "Transportation Manager", "Operations"),
    ("elena", "Elena Rossi", "elena.rossi@riverside.example", "Food Services Director",
     "Operations"),
    ("marcus", "Marcus Hill", "marcus.hill@riverside.example", "Executive Director",
     "Riverside Education Foundation"),
    ("sarah", "Sarah Lindqvist", "sarah.lindqvist@riverside.example", "Board Secretary",
     "Superintendent's Office"),
    ("jamal", "Jamal Reed", "jamal.reed@riverside.example", "Community Partnerships Coordinator",
     "Community Engagement"),
    ("hannah", "Hannah Brooks", "hannah.brooks@riverside.example", "Compliance Officer",
     "Finance & Compliance"),
]  # fmt: skip

# (slug, name, kind, kind_label, stage, owner key or None, rank or None, description, why)
RIVERSIDE_AUDIENCES: list[tuple[Any, ...]] = [
    ("students", "Students", K.STUDENT, "", "current", "priya", 1,
     "The 14,000 K-12 students across 22 schools.",
     "Student learning and wellbeing is the district's reason to exist."),
    ("parents", "Parents and guardians", K.PARENT, "", "current", "luis", 2,
     "Families of the 14,000 enrolled students: about 9,000 households.",
     "Parents choose, support and speak for the district; their trust drives enrolment."),
    ("teachers", "Teachers", K.EMPLOYEE, "", "current", "maya", 3,
     "About 1,000 classroom teachers and instructional coaches.",
     "Teacher experience shapes student experience; turnover is costly."),
    ("special-education-families", "Special-education families", K.PARENT, "", "current",
     "grace", 4, "Families of students with an IEP or 504 plan.",
     "Legal obligations and the highest-stakes interactions the district has."),
    ("teacher-candidates", "Teacher candidates", K.CANDIDATE, "", "prospective", "maya", 5,
     "Applicants and student teachers from partner universities.",
     "The district competes with neighbours for scarce certified teachers."),
    ("prospective-families", "Prospective families", K.PROSPECT, "", "prospective", None, 6,
     "Families deciding between district, charter and private schools.",
     "Enrolment funds the district; the first visit decides a lot."),
    ("support-staff", "Support staff", K.EMPLOYEE, "", "current", None, 7,
     "Paraprofessionals, custodians, office staff and nurses.",
     "They run the buildings and see families every day."),
    ("school-board", "School board", K.OTHER, "Governance", "current", "sarah", 8,
     "The seven elected trustees.", "The board sets policy and approves the budget."),
    ("donors", "Foundation donors", K.DONOR, "", "current", "marcus", 9,
     "About 650 people and companies giving monthly to the Riverside Education Foundation.",
     "Donations fund arts, robotics and classroom grants the budget cannot."),
    ("bus-contractor", "Bus contractor", K.SUPPLIER, "", "current", "tom", 10,
     "The company operating 140 school bus routes.",
     "Late buses are the first thing families notice."),
    ("alumni", "Alumni", K.ALUMNI, "", "former", "marcus", None,
     "Graduates of Riverside high schools.", "Future donors, mentors and parents."),
    ("local-media", "Local media", K.MEDIA, "", "current", "luis", None,
     "The county newspaper, two TV stations and parent bloggers.",
     "How the community hears about the district."),
    ("food-service-supplier", "Food-service supplier", K.SUPPLIER, "", "current", "elena", None,
     "The vendor supplying school meals.", "Meals reach every student every day."),
    ("community-partners", "Community partners", K.OTHER, "Community partner", "current", "jamal",
     None, "Libraries, clinics and youth organisations working with schools.",
     "Partners extend what schools can offer."),
    ("volunteers", "Volunteers", K.OTHER, "Volunteer", "current", "jamal", None,
     "Reading buddies, chaperones and PTA volunteers.", "Thousands of hours a year."),
    ("local-businesses", "Local businesses", K.OTHER, "Local business", "current", "jamal", None,
     "Employers offering internships and sponsorships.", "Work-based learning depends on them."),
    ("state-regulators", "State regulators", K.OTHER, "Regulator", "current", "hannah", None,
     "The state department of education and auditors.", "Compliance and funding."),
    ("after-school-families", "After-school programme families", K.PARENT, "", "current", None,
     None, "Families using before- and after-school care.", "A paid service with a waiting list."),
    ("graduates-employers", "Graduates' employers", K.OTHER, "Employer of graduates", "current",
     None, None, "Companies hiring Riverside graduates.", "They judge how ready graduates are."),
    ("social-followers", "Social media followers", K.FAN, "", "current", "luis", None,
     "Followers of the district's social accounts.", "The fastest channel in a snow day."),
    ("substitute-teachers", "Substitute teachers", K.EMPLOYEE, "", "current", None, None,
     "The pool of on-call substitutes.", "Classes go uncovered when they stop answering."),
    ("taxpayers", "Local taxpayers", K.OTHER, "Resident", "current", None, None,
     "Residents without children in the schools.", "They vote on bond measures."),
]  # fmt: skip

NORTHWIND_PEOPLE = [
    ("ayse", "Ayşe Demir", "ayse.demir@northwind.example", "Head of Customer Success", "Customer"),
    ("can", "Can Aydın", "can.aydin@northwind.example", "Sales Director", "Sales"),
    ("zeynep", "Zeynep Kaya", "zeynep.kaya@northwind.example", "People Operations Lead", "People"),
]

NORTHWIND_AUDIENCES: list[tuple[Any, ...]] = [
    ("customers", "Customers", K.CUSTOMER, "", "current", "ayse", 1,
     "Companies subscribed to Northwind Analytics.", "Recurring revenue."),
    ("prospects", "Prospects", K.PROSPECT, "", "prospective", "can", 2,
     "Teams on a trial or in a sales conversation.", "Pipeline for next year's growth."),
    ("employees", "Employees", K.EMPLOYEE, "", "current", "zeynep", 3,
     "The 80 people working at Northwind.", "EX drives CX."),
    ("resellers", "Resellers", K.RESELLER, "", "current", None, 4,
     "Consultancies reselling Northwind in the region.", "A third of new customers."),
    ("investors", "Investors", K.INVESTOR, "", "current", None, None,
     "Seed and series A investors.", "They fund the roadmap."),
]  # fmt: skip


def _user(email: str, first: str, last: str, password: str):
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


def _organisation(slug: str, name: str, timezone: str) -> Organisation:
    organisation, _ = Organisation.objects.update_or_create(
        slug=slug, defaults={"name": name, "timezone": timezone}
    )
    return organisation


def _people(organisation: Organisation, rows: list[tuple[str, ...]]) -> dict[str, Person]:
    people = {}
    for key, name, email, title, department in rows:
        people[key], _ = Person.objects.for_org(organisation).update_or_create(
            organisation=organisation,
            email=email,
            defaults={"name": name, "title": title, "department": department},
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
                "name": name,
                "kind": kind,
                "kind_label": label,
                "stage": LifecycleStage(stage),
                "owner": people[owner] if owner else None,
                "rank": rank,
                "archived": False,
                "description": description,
                "why_it_matters": why,
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
    riverside = _organisation("riverside", "Riverside School District", "America/New_York")
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

    def sign_in(organisation, role, email, first, last, note="") -> Any:
        user = _user(email, first, last, PASSWORDS[role])
        _member(user, organisation, role)
        sign_ins.append(
            {
                "organisation": organisation.name,
                "role": role,
                "email": email,
                "password": PASSWORDS[role],
                "name": f"{first} {last}{note}",
            }
        )
        return user

    lead = sign_in(riverside, "lead", "avery.johnson@riverside.example", "Avery", "Johnson",
                   " (CX lead)")  # fmt: skip
    hr = sign_in(riverside, "owner", "maya.chen@riverside.example", "Maya", "Chen",
                 " (HR: teachers, candidates)")  # fmt: skip
    comms = sign_in(riverside, "owner", "luis.ortega@riverside.example", "Luis", "Ortega",
                    " (communications: parents, media)")  # fmt: skip
    sign_in(riverside, "viewer", "sam.patel@riverside.example", "Sam", "Patel",
            " (superintendent)")  # fmt: skip
    _link(people["riverside"]["maya"], hr)
    _link(people["riverside"]["luis"], comms)
    sign_in(northwind, "lead", "ada.yilmaz@northwind.example", "Ada", "Yılmaz", " (CX lead)")
    # The Riverside lead also reads Northwind, so the organisation switcher has something to show.
    _member(lead, northwind, "viewer")
    sign_ins.append(
        {
            "organisation": northwind.name,
            "role": "viewer",
            "email": lead.email,
            "password": PASSWORDS["lead"],
            "name": "Avery Johnson (also lead of Riverside)",
        }
    )
    return {
        "organisations": {"riverside": riverside, "northwind": northwind},
        "audiences": audiences,
        "people": people,
        "sign_ins": sign_ins,
    }
