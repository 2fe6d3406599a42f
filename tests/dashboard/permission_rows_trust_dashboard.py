"""The trustees' dashboard: trust roles and school leaders with the dashboard permission."""

from tests.permissions import Row

ALLOWED = ["trustee", "trust_admin", "trust_hr", "leader_a", "head_a", "leader_b", "head_b"]
REFUSED = ["teacher_a", "staff_a", "dsl_a", "office_a", "teacher_b", "staff_b"]

ROWS = [
    *[Row(name, "anonymous", 302) for name in ("dashboard:trust", "dashboard:trust_csv")],
    *[Row(name, p, 200) for name in ("dashboard:trust", "dashboard:trust_csv") for p in ALLOWED],
    *[Row(name, p, 403) for name in ("dashboard:trust", "dashboard:trust_csv") for p in REFUSED],
]
