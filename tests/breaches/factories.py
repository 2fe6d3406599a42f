import datetime

from django.utils import timezone

from breaches.services import breach_report


def report(
    world,
    *,
    actor=None,
    school=None,
    category="internet_misuse",
    subject=None,
    students=False,
    **kw,
):
    return breach_report(
        actor=actor or world.teacher_a,
        school=school or world.school_a,
        category=category,
        seen_at=timezone.now() - datetime.timedelta(hours=1),
        description="Saw a post naming a student on a personal account.",
        subject=subject,
        students_involved=students,
        **kw,
    )
