"""Data protection pages: the data protection officer only (issue 19)."""

import datetime

from privacy.models import RightsRequest
from privacy.selectors import find_person
from privacy.services import rights_request_create, sar_create
from tests.permissions import Row

OTHERS = ["trust_admin", "trust_hr", "trustee", "head_a", "office_a", "teacher_a"]


def sar(w):
    person = find_person("staff", w.teacher_a.email)
    return {"pk": sar_create(actor=w.dpo, person=person, received_on=datetime.date.today()).pk}


def rights(w):
    person = find_person("staff", w.teacher_a.email)
    req = rights_request_create(
        actor=w.dpo,
        person=person,
        kind=RightsRequest.Kind.RECTIFICATION,
        received_on=datetime.date.today(),
        details="Spelling of my name",
    )
    return {"pk": req.pk}


LISTS = ["privacy:sar_list", "privacy:rights_list", "privacy:retention"]
DETAILS = [("privacy:sar_detail", sar), ("privacy:rights_detail", rights)]

ROWS = [
    *[Row(name, "dpo", 200) for name in LISTS],
    *[Row(name, p, 403) for name in LISTS for p in OTHERS],
    *[Row(name, "anonymous", 302) for name in LISTS],
    *[Row(name, "dpo", 200, kwargs=k) for name, k in DETAILS],
    *[Row(name, p, 404, kwargs=k) for name, k in DETAILS for p in OTHERS],
    Row("privacy:sar_download", "dpo", 200, method="post", kwargs=sar),
    Row("privacy:sar_download", "dpo", 405, kwargs=sar),
    *[Row("privacy:sar_download", p, 404, method="post", kwargs=sar) for p in OTHERS],
    Row("privacy:sar_close", "dpo", 302, method="post", kwargs=sar),
    *[Row("privacy:sar_close", p, 404, method="post", kwargs=sar) for p in OTHERS],
]
