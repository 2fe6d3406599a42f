"""Audit log pages (clause 6). The log is for trust administrators: anyone else signed in gets
403 (the page's existence is no secret; its content is). Everyone sees their own activity."""

from tests.conftest import PERSONA_NAMES
from tests.permissions import Row

SIGNED_IN = [p for p in PERSONA_NAMES if p != "anonymous"]

ROWS = [
    *(
        Row(name, p, 200 if p == "trust_admin" else 403)
        for name in ("audit:list", "audit:export", "audit:chain")
        for p in SIGNED_IN
    ),
    Row("audit:list", "anonymous", 302),
    Row("audit:export", "anonymous", 302),
    Row("audit:chain", "anonymous", 302),
    Row("audit:chain", "trust_admin", 405, method="post", note="read-only page"),
    Row("audit:list", "trust_admin", 405, method="post", note="read-only page"),
    Row("audit:export", "trust_admin", 405, method="post", note="read-only page"),
    *(Row("audit:my_activity", p, 200) for p in SIGNED_IN),
    Row("audit:my_activity", "anonymous", 302),
    Row("audit:my_activity", "teacher_a", 405, method="post", note="read-only page"),
    *(Row("audit:my_activity_export", p, 200) for p in SIGNED_IN),
    Row("audit:my_activity_export", "anonymous", 302),
]
