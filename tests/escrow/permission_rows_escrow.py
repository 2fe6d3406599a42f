"""Credential escrow: URL × persona × expected status.

School A's active account is owned by teacher_a with staff_a as deputy (its team: they
deposit), leader_a and head_a retrieve (after step-up: a fresh client is sent to it, 302),
trust_admin may break glass; everyone of school B, the trustee, trust HR and school A's
people outside leadership get 404.
"""

from __future__ import annotations

from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

from .factories import escrowed_account

SIGNED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]
OUTSIDERS = [
    "dsl_a",
    "office_a",
    "teacher_b",
    "leader_b",
    "head_b",
    "dsl_b",
    "office_b",
    "staff_b",
    "trust_hr",
    "trustee",
]


def account(w) -> dict:
    return {"pk": escrowed_account(w).pk}


def leader_a(w) -> dict:
    return {"pk": w.leader_a.pk}


def deposit_data(w) -> dict:
    return {"username": "pe@alder.example", "password": "a-new-password-1"}


def reason(w) -> dict:
    return {"reason": "Owner away"}


ROWS: list[Row] = []
ROWS += [Row("escrow:index", p, 200) for p in SIGNED_IN]
ROWS += [Row("escrow:index", "anonymous", 302)]

# The account's escrow page.
for p, status in [
    ("teacher_a", 200),
    ("staff_a", 200),
    ("leader_a", 200),
    ("head_a", 200),
    ("trust_admin", 200),
    ("anonymous", 302),
    *[(p, 404) for p in OUTSIDERS],
]:
    ROWS.append(Row("escrow:account", p, status, kwargs=account))

# Deposit: the team only; leaders see the account but may not deposit (403).
for p, status in [
    ("teacher_a", 200),
    ("staff_a", 200),
    ("leader_a", 403),
    ("head_a", 403),
    ("trust_admin", 403),
    ("anonymous", 302),
    *[(p, 404) for p in OUTSIDERS],
]:
    ROWS.append(Row("escrow:deposit", p, status, kwargs=account))
ROWS += [
    Row("escrow:deposit", "teacher_a", 302, "post", account, deposit_data),
    Row("escrow:deposit", "staff_a", 302, "post", account, deposit_data),
    Row("escrow:deposit", "leader_a", 403, "post", account, deposit_data),
    Row("escrow:deposit", "leader_b", 404, "post", account, deposit_data),
]

# Retrieve: leaders and the trust administrator go to the step-up first (302); the team may
# see the account but not retrieve (403); outsiders 404 before any step-up.
for p, status in [
    ("leader_a", 302),
    ("head_a", 302),
    ("trust_admin", 302),
    ("teacher_a", 403),
    ("staff_a", 403),
    ("anonymous", 302),
    *[(p, 404) for p in OUTSIDERS],
]:
    ROWS.append(Row("escrow:retrieve", p, status, kwargs=account))
    ROWS.append(Row("escrow:retrieve", p, status, "post", account, reason))

# The yearly check: POST only, leaders of the school.
for p, status in [
    ("leader_a", 302),
    ("head_a", 302),
    ("teacher_a", 403),
    ("trust_admin", 403),
    ("anonymous", 302),
    ("leader_b", 404),
    ("trustee", 404),
    ("dsl_a", 404),
]:
    ROWS.append(Row("escrow:check", p, status, "post", account))
ROWS += [Row("escrow:check", "leader_a", 405, kwargs=account)]

# Per-person report about leader_a: who may see leader_a (people_visible_to) and holds a
# retrieval role; a person outside their sight gets 404, a viewer without the role 403.
for p, status in [
    ("trust_admin", 200),
    ("leader_a", 200),
    ("head_a", 200),
    ("leader_b", 404),
    ("teacher_a", 404),
    ("trustee", 404),
    ("dsl_a", 403),
    ("trust_hr", 403),
    ("anonymous", 302),
]:
    ROWS.append(Row("escrow:person_report", p, status, kwargs=leader_a))
