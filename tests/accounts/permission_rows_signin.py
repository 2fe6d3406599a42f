"""Permission rows for the sign-in URLs (issue 3, Sign-in).

client_for() signs personas in with their second factor where their role needs one, so
leader_a is verified and teacher_a has no authenticator.
"""

from tests.permissions import Row

_RESET_LINK = {"uidb64": "MQ", "token": "not-a-real-token"}

ROWS = [
    # Second factor: sign-in first; a verified leader is sent on; a teacher may enrol.
    Row("accounts:two_factor", "anonymous", 302),
    Row("accounts:two_factor", "teacher_a", 200, note="optional enrolment page"),
    Row("accounts:two_factor", "leader_a", 302, note="already verified: sent on"),
    Row("accounts:two_factor", "trust_admin", 302, note="already verified: sent on"),
    Row("accounts:two_factor", "anonymous", 302, method="post", data=lambda w: {"otp_token": "1"}),
    # Step-up: signed-in people with an authenticator; others are sent to enrol.
    Row("accounts:step_up", "anonymous", 302),
    Row("accounts:step_up", "leader_a", 200),
    Row("accounts:step_up", "dsl_b", 200),
    Row("accounts:step_up", "trust_hr", 200),
    Row("accounts:step_up", "teacher_a", 302, note="no authenticator: sent to enrol"),
    Row("accounts:step_up", "anonymous", 302, method="post"),
    # The person's own security page.
    Row("accounts:security", "anonymous", 302),
    Row("accounts:security", "teacher_a", 200),
    Row("accounts:security", "staff_b", 200),
    Row("accounts:security", "leader_a", 200),
    Row("accounts:security", "trustee", 200),
    # New backup codes need a fresh step-up, whoever asks.
    Row("accounts:backup_codes", "anonymous", 302),
    Row("accounts:backup_codes", "anonymous", 302, method="post"),
    Row("accounts:backup_codes", "leader_a", 302, note="no fresh step-up"),
    Row("accounts:backup_codes", "leader_a", 302, method="post", note="no fresh step-up"),
    Row("accounts:backup_codes", "teacher_a", 302),
    # Password reset is open to everyone (it reveals nothing about who has an account).
    Row("accounts:password_reset", "anonymous", 200),
    Row(
        "accounts:password_reset",
        "anonymous",
        302,
        method="post",
        data=lambda w: {"email": "nobody@nowhere.example"},
    ),
    Row("accounts:password_reset", "teacher_a", 200),
    Row("accounts:password_reset_done", "anonymous", 200),
    Row("accounts:password_reset_confirm", "anonymous", 200, kwargs=lambda w: _RESET_LINK),
    Row("accounts:password_reset_confirm", "leader_a", 200, kwargs=lambda w: _RESET_LINK),
    Row("accounts:password_reset_complete", "anonymous", 200),
    # "Stay signed in" on the time-out warning (WCAG 2.2.1): POST only, signed in only.
    Row("accounts:session_extend", "anonymous", 302, method="post"),
    Row("accounts:session_extend", "teacher_a", 405),
    Row("accounts:session_extend", "teacher_a", 200, method="post"),
    Row("accounts:session_extend", "trustee", 200, method="post"),
]
