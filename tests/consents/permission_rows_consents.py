"""Consent pages: students are seen only inside their school; records kept by the office."""

import datetime

from consents.imports import import_preview
from consents.models import Publication, Takedown
from tests.channels.factories import make_account
from tests.permissions import Row

from .factories import student_with_carers

GOOD = b"UPN,Surname,Forename,Year\r\nU1,Smith,Ann,7\r\n"


def student_a(w):
    return {"pk": student_with_carers(w.school_a)[0].pk}


def batch_a(w):
    batch = import_preview(actor=w.office_a, school=w.school_a, file_name="a.csv", data=GOOD)
    return {"pk": batch.pk}


def takedown_a(w):
    account = make_account(w.school_a, requested_by=w.teacher_a, status="active")
    pub = Publication.objects.create(
        account=account,
        school=w.school_a,
        purpose="social_media",
        medium="photo",
        post_url="https://example.org/p/1",
        published_on=datetime.date(2026, 10, 1),
        checked_by=w.teacher_a,
    )
    task = Takedown.objects.create(publication=pub, school=w.school_a, owner=w.teacher_a)
    return {"pk": task.pk}


READERS_A = ["teacher_a", "leader_a", "head_a", "dsl_a", "office_a"]
NOT_READERS = ["staff_a", "trustee", "trust_admin", "trust_hr"]

ROWS = [
    *[Row("consents:student_list", p, 200) for p in READERS_A],
    *[Row("consents:student_list", p, 403) for p in NOT_READERS],
    Row("consents:student_list", "anonymous", 302),
    *[Row("consents:student_detail", p, 200, kwargs=student_a) for p in READERS_A],
    *[
        Row("consents:student_detail", p, 404, kwargs=student_a)
        for p in ["teacher_b", "office_b", "head_b", "staff_a", "trustee", "trust_admin"]
    ],
    Row("consents:student_detail", "anonymous", 302, kwargs=student_a),
    Row("consents:decision_create", "office_a", 200, kwargs=student_a),
    Row("consents:decision_create", "head_a", 200, kwargs=student_a),
    *[
        Row("consents:decision_create", p, 404, kwargs=student_a)
        for p in ["teacher_a", "leader_a", "office_b", "trust_admin"]
    ],
    Row("consents:import_start", "office_a", 200),
    *[Row("consents:import_start", p, 403) for p in ["teacher_a", "leader_a", "trustee"]],
    Row("consents:import_start", "anonymous", 302),
    Row("consents:import_detail", "office_a", 200, kwargs=batch_a),
    *[
        Row("consents:import_detail", p, 404, kwargs=batch_a)
        for p in ["office_b", "teacher_a", "trust_admin"]
    ],
    Row("consents:import_progress", "office_a", 200, kwargs=batch_a),
    Row("consents:import_progress", "office_b", 404, kwargs=batch_a),
    Row("consents:import_confirm", "office_a", 302, method="post", kwargs=batch_a),
    Row("consents:import_confirm", "office_b", 404, method="post", kwargs=batch_a),
    Row("consents:import_confirm", "office_a", 405, kwargs=batch_a),
    *[Row("consents:check", p, 200) for p in ["teacher_a", "leader_a", "office_a"]],
    *[Row("consents:check", p, 403) for p in ["staff_a", "trustee"]],
    Row("consents:check", "anonymous", 302),
    Row("consents:publication_create", "teacher_a", 302, method="post", data=lambda w: {}),
    Row("consents:publication_create", "teacher_a", 405),
    Row("consents:publication_create", "anonymous", 302, method="post"),
    *[Row("consents:class_list", p, 200) for p in ["teacher_a", "office_a"]],
    Row("consents:class_list", "staff_a", 403),
    Row("consents:class_list", "trustee", 403),
    *[Row("consents:coverage", p, 200) for p in ["office_a", "leader_a", "head_a"]],
    *[Row("consents:coverage", p, 403) for p in ["teacher_a", "trustee", "staff_a"]],
    *[Row("consents:takedown_list", p, 200) for p in ["teacher_a", "leader_a", "staff_a"]],
    Row("consents:takedown_list", "anonymous", 302),
    Row("consents:takedown_done", "teacher_a", 302, method="post", kwargs=takedown_a),
    Row("consents:takedown_done", "leader_a", 302, method="post", kwargs=takedown_a),
    *[
        Row("consents:takedown_done", p, 404, method="post", kwargs=takedown_a)
        for p in ["teacher_b", "leader_b", "staff_a", "office_a"]
    ],
]

ROWS += [
    Row("consents:carer_create", "office_a", 200, kwargs=student_a),
    Row(
        "consents:carer_create",
        "office_a",
        302,
        method="post",
        kwargs=student_a,
        data=lambda w: {"name": "Gran Smith", "relationship": "Grandparent"},
    ),
    *[
        Row("consents:carer_create", p, 404, kwargs=student_a)
        for p in ["teacher_a", "office_b", "trust_admin"]
    ],
    Row("consents:carer_create", "anonymous", 302, kwargs=student_a),
]


def account_a(w):
    return {"pk": make_account(w.school_a, requested_by=w.teacher_a, status="active").pk}


ROWS += [
    Row("consents:student_export", "office_a", 200),
    Row("consents:student_export", "head_a", 200),
    *[
        Row("consents:student_export", p, 403)
        for p in ["teacher_a", "leader_a", "dsl_a", "staff_a", "trustee", "trust_admin"]
    ],
    Row("consents:student_export", "anonymous", 302),
    *[
        Row("consents:account_publications", p, 200, kwargs=account_a)
        for p in ["leader_a", "head_a"]
    ],
    *[
        Row("consents:account_publications", p, 404, kwargs=account_a)
        for p in ["leader_b", "teacher_b", "staff_a", "trustee"]
    ],
    Row("consents:account_publications", "anonymous", 302, kwargs=account_a),
]
