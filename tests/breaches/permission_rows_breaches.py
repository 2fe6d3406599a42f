"""Breach pages: only the people a case was routed to, its owner and trust HR open it."""

from breaches.models import Declaration
from breaches.services import case_acknowledge, case_close, case_decide_outcome
from tests.permissions import Row

from .factories import report


def case_a(w):
    return {"pk": report(w).pk}


def case_about_head_a(w):
    return {"pk": report(w, subject=w.head_a).pk}


def evidence_a(w):
    case = report(w, files=[b"%PDF-1.4 test document"])
    return {"pk": case.pk, "evidence_id": case.evidence.get().pk}


def disposable(w):
    case = report(w)
    case_acknowledge(actor=w.head_a, case=case)
    case_decide_outcome(actor=w.head_a, case=case, outcome="nfa", summary="Nothing found.")
    case_close(actor=w.head_a, case=case)
    case.__class__.objects.filter(pk=case.pk).update(retention_until="2000-01-01")
    return {"pk": case.pk}


def declaration_a(w):
    return {
        "pk": Declaration.objects.create(
            user=w.teacher_a,
            school=w.school_a,
            site="Blog",
            link="https://example.org",
            disclaimer_present=True,
        ).pk
    }


STAFF = ["teacher_a", "leader_a", "head_a", "dsl_a", "office_a", "staff_a"]
OUTSIDERS = ["leader_a", "teacher_a", "head_b", "dsl_b", "trust_admin", "trustee"]
POSTS = [
    "case_acknowledge",
    "case_investigate",
    "case_note",
    "case_action",
    "case_outcome",
    "case_close",
    "case_assign",
]

ROWS = [
    *[Row("breaches:report", p, 200) for p in STAFF],
    *[Row("breaches:report", p, 403) for p in ["trustee", "trust_admin", "trust_hr"]],
    Row("breaches:report", "anonymous", 302),
    *[Row("breaches:my_reports", p, 200) for p in ["teacher_a", "trustee"]],
    Row("breaches:my_reports", "anonymous", 302),
    Row("breaches:my_report", "teacher_a", 200, kwargs=case_a),
    *[
        Row("breaches:my_report", p, 404, kwargs=case_a)
        for p in ["head_a", "teacher_b", "leader_a"]
    ],
    *[Row("breaches:case_list", p, 200) for p in ["head_a", "teacher_a", "trust_hr"]],
    Row("breaches:case_list", "anonymous", 302),
    *[Row("breaches:case_detail", p, 200, kwargs=case_a) for p in ["head_a", "trust_hr"]],
    *[Row("breaches:case_detail", p, 404, kwargs=case_a) for p in OUTSIDERS],
    Row("breaches:case_detail", "head_a", 404, kwargs=case_about_head_a),
    Row("breaches:case_detail", "trust_hr", 200, kwargs=case_about_head_a),
    Row("breaches:case_detail", "anonymous", 302, kwargs=case_a),
    *[Row(f"breaches:{name}", "head_a", 302, method="post", kwargs=case_a) for name in POSTS],
    *[
        Row(f"breaches:{name}", p, 404, method="post", kwargs=case_a)
        for name in POSTS
        for p in ["head_b", "leader_a"]
    ],
    *[Row(f"breaches:{name}", "head_a", 405, kwargs=case_a) for name in POSTS],
    Row("breaches:evidence", "head_a", 200, kwargs=evidence_a),
    *[
        Row("breaches:evidence", p, 404, kwargs=evidence_a)
        for p in ["teacher_a", "head_b", "trust_admin"]
    ],
    Row("breaches:disposals", "trust_hr", 200),
    *[Row("breaches:disposals", p, 403) for p in ["head_a", "trust_admin", "trustee"]],
    Row("breaches:case_dispose", "trust_hr", 302, method="post", kwargs=disposable),
    Row(
        "breaches:case_dispose",
        "head_a",
        302,
        method="post",
        kwargs=disposable,
        note="refused with a message",
    ),
    Row("breaches:case_dispose", "head_b", 404, method="post", kwargs=disposable),
    *[Row("breaches:declaration_list", p, 200) for p in ["teacher_a", "head_a", "trustee"]],
    Row("breaches:declaration_list", "anonymous", 302),
    Row("breaches:declaration_acknowledge", "head_a", 302, method="post", kwargs=declaration_a),
    *[
        Row("breaches:declaration_acknowledge", p, 404, method="post", kwargs=declaration_a)
        for p in ["head_b", "leader_a"]
    ],
]


def comment_report_a(w):
    from tests.channels.permission_rows_channels import comment_report

    return {"report_pk": comment_report(w)["pk"]}


ROWS += [
    Row("breaches:from_comment_report", "leader_a", 302, method="post", kwargs=comment_report_a),
    Row("breaches:from_comment_report", "head_a", 302, method="post", kwargs=comment_report_a),
    Row("breaches:from_comment_report", "leader_b", 404, method="post", kwargs=comment_report_a),
    Row("breaches:from_comment_report", "leader_a", 405, kwargs=comment_report_a),
    Row("breaches:from_comment_report", "anonymous", 302, method="post", kwargs=comment_report_a),
]


def case_naming_account_a(w):
    from tests.escrow.factories import escrowed_account

    return {"pk": report(w, account=escrowed_account(w)).pk}


ACCOUNT_POSTS = ["case_account_rotation", "case_account_review"]
ROWS += [
    *[
        Row(f"breaches:{n}", p, 302, method="post", kwargs=case_naming_account_a)
        for n in ACCOUNT_POSTS
        for p in ["head_a", "trust_hr"]
    ],
    *[
        Row(f"breaches:{n}", p, 404, method="post", kwargs=case_naming_account_a)
        for n in ACCOUNT_POSTS
        for p in ["head_b", "leader_a", "teacher_a", "trust_admin", "trustee"]
    ],
    *[Row(f"breaches:{n}", "head_a", 405, kwargs=case_naming_account_a) for n in ACCOUNT_POSTS],
    *[
        Row(f"breaches:{n}", "anonymous", 302, method="post", kwargs=case_naming_account_a)
        for n in ACCOUNT_POSTS
    ],
]
