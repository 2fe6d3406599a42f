"""The consent round's pages: the office of the school only; carers' pages need no sign-in."""

from consents.models import RoundInvite
from tests.permissions import Row

from .round_helpers import ends_soon, family, start


def round_a(w):
    family(w.school_a)
    return {"pk": start(w, ends_on=ends_soon()).pk}


def invite_a(w):
    family(w.school_a)
    rnd = start(w, ends_on=ends_soon())
    return {"pk": RoundInvite.objects.filter(round=rnd).first().pk}


OTHERS = ["office_b", "teacher_a", "leader_a", "trust_admin", "trustee"]

ROWS = [
    Row("consents:round_index", "office_a", 200),
    Row("consents:round_index", "head_a", 200),
    *[Row("consents:round_index", p, 403) for p in ["teacher_a", "leader_a", "trustee"]],
    Row("consents:round_index", "anonymous", 302),
    *[
        Row(f"consents:{name}", "office_a", 200, kwargs=round_a)
        for name in ("round_detail", "round_carers", "round_grid", "round_letters")
    ],
    *[
        Row(f"consents:{name}", p, 404, kwargs=round_a)
        for name in ("round_detail", "round_carers", "round_grid", "round_letters")
        for p in OTHERS
    ],
    Row("consents:round_detail", "anonymous", 302, kwargs=round_a),
    Row("consents:round_letters", "office_a", 200, method="post", kwargs=round_a),
    Row("consents:round_letters", "office_b", 404, method="post", kwargs=round_a),
    Row("consents:round_remind", "office_a", 302, method="post", kwargs=round_a),
    Row("consents:round_remind", "office_a", 405, kwargs=round_a),
    *[Row("consents:round_remind", p, 404, method="post", kwargs=round_a) for p in OTHERS],
    Row("consents:round_invite_resend", "office_a", 302, method="post", kwargs=invite_a),
    Row("consents:round_invite_revoke", "office_a", 302, method="post", kwargs=invite_a),
    *[
        Row(f"consents:round_invite_{name}", p, 404, method="post", kwargs=invite_a)
        for name in ("resend", "revoke")
        for p in OTHERS
    ],
    Row("consents:round_invite_resend", "anonymous", 302, method="post", kwargs=invite_a),
    # The carers' pages: no sign-in; a made-up link answers 404 whoever asks.
    Row("carer_consent:code", "anonymous", 200),
    Row("carer_consent:code", "office_a", 200),
    Row("carer_consent:link", "anonymous", 404, kwargs=lambda w: {"token": "made-up"}),
    Row("carer_consent:link", "office_a", 404, kwargs=lambda w: {"token": "made-up"}),
]
