import datetime

import factory

from consents.models import Carer, ConsentWording, Student, StudentCarer


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    mis_id = factory.Sequence(lambda n: f"UPN{n:010d}")
    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    year_group = "7"
    form = "7A"


class CarerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Carer

    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"carer{n}@example.org")


class WordingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsentWording
        django_get_or_create = ("school", "version")

    school = None
    version = "2026.1"
    text = "We would like to use photographs and videos of your child..."
    effective_from = datetime.date(2026, 9, 1)


def student_with_carers(school, n_carers=1, **kwargs):
    student = StudentFactory(school=school, **kwargs)
    carers = []
    for i in range(n_carers):
        carer = CarerFactory(school=school)
        StudentCarer.objects.create(
            student=student, carer=carer, relationship=["Mother", "Father"][i % 2]
        )
        carers.append(carer)
    return student, carers
