import factory
from django.contrib.auth import get_user_model

from audiences.models import Audience, AudienceKind, Membership, Organisation, Person, Role
from journeys.models import Persona, Stage, Touchpoint
from measurements.models import MetricDefinition, MetricKind

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    timezone = "UTC"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}@example.org")
    email = factory.SelfAttribute("username")
    first_name = factory.Sequence(lambda n: f"User{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.VIEWER


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    title = "Head of Experience"
    department = "Operations"


class AudienceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audience

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Audience {n}")
    slug = factory.Sequence(lambda n: f"audience-{n}")
    kind = AudienceKind.CUSTOMER
    description = "People who buy from us."


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    audience = factory.SubFactory(AudienceFactory)
    organisation = factory.SelfAttribute("audience.organisation")
    name = factory.Sequence(lambda n: f"Stage {n}")
    position = factory.Sequence(lambda n: n)


class TouchpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Touchpoint

    stage = factory.SubFactory(StageFactory)
    audience = factory.SelfAttribute("stage.audience")
    organisation = factory.SelfAttribute("stage.organisation")
    name = factory.Sequence(lambda n: f"Touchpoint {n}")
    slug = factory.Sequence(lambda n: f"touchpoint-{n}")


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    audience = factory.SubFactory(AudienceFactory)
    organisation = factory.SelfAttribute("audience.organisation")
    name = factory.Sequence(lambda n: f"Persona {n}")


class MetricDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricDefinition

    audience = factory.SubFactory(AudienceFactory)
    organisation = factory.SelfAttribute("audience.organisation")
    kind = MetricKind.NPS
    name = "Relationship NPS"
    slug = factory.SelfAttribute("kind")
    scale_min = 0
    scale_max = 10
