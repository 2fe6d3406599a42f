"""factory_boy factories for the people-and-access models. App factories live in
tests/<app>/factories.py and build on these."""

import factory
from django.contrib.auth.hashers import make_password

from accounts.models import School, SchoolEmailDomain, Trust, User

TEST_PASSWORD = "correct-horse-battery-staple"
# Hashing with Argon2 for every user would slow the suite; hash once and reuse.
_HASHED = make_password(TEST_PASSWORD)


class TrustFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = "The Star Multi Academy Trust"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        skip_postgeneration_save = True

    trust = factory.SubFactory(TrustFactory)
    name = factory.Sequence(lambda n: f"School {n}")
    urn = factory.Sequence(lambda n: f"{200000 + n}")
    phase = School.Phase.SECONDARY
    age_from = 11
    age_to = 18

    @factory.post_generation
    def domain(self, create, extracted, **kwargs):
        if create:
            SchoolEmailDomain.objects.create(
                school=self, domain=extracted or f"s{self.urn}.example"
            )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="en_GB")
    password = _HASHED
