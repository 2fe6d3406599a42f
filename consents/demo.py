"""Demo consent data: students and carers in every school, decisions of every kind, a post
and a withdrawal that turned it into a takedown task. Safe to run twice."""

from __future__ import annotations

from django.utils import timezone

from .models import Carer, ConsentWording, Naming, Publication, Student, StudentCarer
from .publishing import publication_record
from .services import ALL_ITEMS, consent_record, consent_withdraw

FIRST = [
    "Amara",
    "Ben",
    "Chloé",
    "Dylan",
    "Eilidh",
    "Farah",
    "George",
    "Hana",
    "Isaac",
    "Jess",
    "Kofi",
    "Lily",
    "Mohammed",
    "Niamh",
    "Oscar",
    "Priya",
    "Rory",
    "Siân",
    "Tomasz",
    "Zoë",
]
FAMILY = [
    "Okafor",
    "O'Brien",
    "Nguyễn",
    "Smith",
    "Kowalski",
    "Patel",
    "Jones",
    "Müller",
    "Ahmed",
    "MacLeod",
]


def load(ctx) -> None:
    ctx.hints.append(
        "Consent: office staff of Riverside (office@riverside...) import "
        "consents/examples/sims-students.csv (or any file there) at "
        "/consents/import/; teachers check a post at /consents/check/ (each school has students "
        "without consent, and a withdrawal that became a takedown for the account owner)."
    )
    today = timezone.localdate()
    wording, _ = ConsentWording.objects.get_or_create(
        school=None,
        version="2026.1",
        defaults={
            "text": "The trust would like to use photographs and videos of your child to celebrate "
            "their learning. Tick each use you agree to. You can change your mind at any time.",
            "effective_from": today.replace(month=9, day=1)
            if today.month >= 9
            else today.replace(year=today.year - 1, month=9, day=1),
        },
    )
    for slug, school in ctx.schools.items():
        if Student.objects.filter(school=school).exists():
            continue
        office = ctx.people[f"{slug}.office"]
        years = ["3", "4"] if school.phase == "primary" else ["7", "9"]
        students = []
        for i in range(20):
            year = years[i % 2]
            student = Student.objects.create(
                school=school,
                mis_id=f"{school.urn}{i:04d}",
                given_name=FIRST[i],
                family_name=FAMILY[i % len(FAMILY)],
                year_group=year,
                form=f"{year}{'AB'[i % 2]}",
            )
            carer = Carer.objects.create(
                school=school,
                name=f"Parent of {FIRST[i]} {FAMILY[i % len(FAMILY)]}",
                email=f"carer{i}.{slug}@example.org",
            )
            StudentCarer.objects.create(student=student, carer=carer, relationship="Parent")
            students.append((student, carer))
        for i, (student, carer) in enumerate(students):
            if i % 7 == 6:
                continue  # no decision yet: shows in coverage and the check
            refused = i % 5 == 4
            consent_record(
                actor=office,
                student=student,
                carer=carer,
                method=["paper", "online", "phone"][i % 3],
                wording=wording,
                given_on=today,
                naming=[Naming.FIRST_NAME, Naming.INITIALS, Naming.FULL_NAME][i % 3],
                allowed=dict.fromkeys(ALL_ITEMS, not refused),
            )
        # Two carers who disagree: the more restrictive wins and it is shown.
        student, _ = students[0]
        second = Carer.objects.create(school=school, name=f"Second carer of {student.given_name}")
        StudentCarer.objects.create(student=student, carer=second, relationship="Carer")
        consent_record(
            actor=office,
            student=student,
            carer=second,
            method="paper",
            wording=wording,
            given_on=today,
            naming=Naming.INITIALS,
            allowed={k: k[1] == "photo" for k in ALL_ITEMS},
        )
        # A post with a student whose parent then withdrew: a takedown for the owner.
        from channels.models import OfficialAccount

        account = OfficialAccount.objects.filter(school=school, status="active").first()
        if account is None or Publication.objects.filter(account=account).exists():
            continue
        student, carer = students[1]
        publication_record(
            actor=account.owner,
            account=account,
            medium="photo",
            students=[student],
            post_url=f"{account.url.rstrip('/')}/posts/sports-day",
            published_on=today,
        )
        consent_withdraw(
            actor=office,
            student=student,
            carer=carer,
            method="phone",
            wording=wording,
            given_on=today,
        )
    from .rounds.demo import load as load_round

    load_round(ctx)
