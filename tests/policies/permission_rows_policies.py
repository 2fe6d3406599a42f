"""Every policies URL × persona (tests/permissions.py). A school's policy belongs to school A;
school B's people get the same 404 as for a missing record."""

from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

from .helpers import school_policy, trust_policy

SIGNED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]


def _a(w):
    return {"pk": school_policy(w).pk}


def _trust(w):
    return {"pk": trust_policy(w).pk}


def _version_a(w):
    return {"pk": school_policy(w).current_version_id}


ROWS = [
    Row("policies:list", "anonymous", 302),
    *[Row("policies:list", p, 200) for p in SIGNED_IN],
    Row("policies:mine", "anonymous", 302),
    *[Row("policies:mine", p, 200) for p in SIGNED_IN],
    # Adding a policy: trust administrators (trust-wide) and headteachers (their school).
    Row("policies:create", "anonymous", 302),
    *[Row("policies:create", p, 200) for p in ("trust_admin", "head_a", "head_b")],
    *[
        Row("policies:create", p, 403)
        for p in ("teacher_a", "leader_a", "dsl_a", "office_a", "staff_a", "trust_hr", "trustee")
    ],
    Row(
        "policies:create",
        "head_a",
        200,
        method="post",
        data=lambda w: {"title": ""},
        note="invalid form re-renders",
    ),  # fmt: skip
    Row("policies:create", "teacher_a", 403, method="post", data=lambda w: {"title": "x"}),
    # Who has not acknowledged: people who may see the school's staff or its dashboard.
    Row("policies:outstanding", "anonymous", 302),
    *[
        Row("policies:outstanding", p, 200)
        for p in ("leader_a", "head_a", "dsl_a", "office_a", "leader_b", "trust_admin", "trust_hr")
    ],
    *[Row("policies:outstanding", p, 403) for p in ("teacher_a", "staff_a", "trustee")],
    # A school's policy.
    Row("policies:detail", "anonymous", 302, kwargs=_a),
    *[
        Row("policies:detail", p, 200, kwargs=_a)
        for p in (
            "teacher_a",
            "leader_a",
            "head_a",
            "dsl_a",
            "office_a",
            "staff_a",
            "trust_admin",
            "trust_hr",
        )
    ],  # fmt: skip
    *[
        Row("policies:detail", p, 404, kwargs=_a)
        for p in ("teacher_b", "leader_b", "head_b", "staff_b", "trustee")
    ],
    # A trust-wide policy: every member of staff of the trust.
    *[Row("policies:detail", p, 200, kwargs=_trust) for p in ("teacher_b", "staff_a", "head_b")],
    Row("policies:detail", "trustee", 404, kwargs=_trust, note="trustees see figures only"),
    Row("policies:review", "anonymous", 302, kwargs=_a),
    *[Row("policies:review", p, 200, kwargs=_a) for p in ("head_a", "trust_admin")],
    *[Row("policies:review", p, 403, kwargs=_a) for p in ("leader_a", "teacher_a", "staff_a")],
    *[Row("policies:review", p, 404, kwargs=_a) for p in ("head_b", "teacher_b", "trustee")],
    Row("policies:review", "trust_admin", 200, kwargs=_trust),
    Row("policies:review", "head_a", 403, kwargs=_trust, note="trust-wide: trust admins only"),
    Row(
        "policies:review",
        "head_a",
        200,
        method="post",
        kwargs=_a,
        data=lambda w: {},
        note="invalid form re-renders",
    ),  # fmt: skip
    Row("policies:review", "leader_a", 403, method="post", kwargs=_a, data=lambda w: {}),
    Row("policies:adopt", "anonymous", 302, kwargs=_trust),
    *[Row("policies:adopt", p, 200, kwargs=_trust) for p in ("head_a", "head_b", "trust_admin")],
    *[Row("policies:adopt", p, 403, kwargs=_trust) for p in ("leader_a", "teacher_b", "trust_hr")],
    Row("policies:adopt", "trustee", 404, kwargs=_trust),
    Row("policies:adopt", "head_a", 403, kwargs=_a, note="only trust-wide policies are adopted"),
    Row("policies:adopt", "head_b", 404, kwargs=_a),
    Row("policies:acknowledge", "anonymous", 302, method="post", kwargs=_a),
    *[
        Row("policies:acknowledge", p, 302, method="post", kwargs=_a)
        for p in ("staff_a", "teacher_a", "head_a")
    ],
    *[
        Row("policies:acknowledge", p, 404, method="post", kwargs=_a)
        for p in ("staff_b", "trustee")
    ],
    Row("policies:acknowledge", "staff_a", 405, kwargs=_a),
    Row("policies:download", "anonymous", 302, kwargs=_version_a),
    *[
        Row("policies:download", p, 200, kwargs=_version_a)
        for p in ("staff_a", "head_a", "trust_admin", "trust_hr")
    ],
    *[
        Row("policies:download", p, 404, kwargs=_version_a)
        for p in ("staff_b", "head_b", "trustee")
    ],
]

ROWS += [
    Row("policies:edit", "anonymous", 302, kwargs=_a),
    *[Row("policies:edit", p, 200, kwargs=_a) for p in ("head_a", "trust_admin")],
    *[Row("policies:edit", p, 403, kwargs=_a) for p in ("leader_a", "teacher_a", "trust_hr")],
    *[Row("policies:edit", p, 404, kwargs=_a) for p in ("head_b", "trustee")],
    Row("policies:edit", "head_a", 403, kwargs=_trust, note="trust-wide: trust admins only"),
    Row("policies:edit", "trust_admin", 200, kwargs=_trust),
    Row(
        "policies:edit",
        "head_a",
        200,
        method="post",
        kwargs=_a,
        data=lambda w: {"title": ""},
        note="invalid form re-renders",
    ),  # fmt: skip
]
