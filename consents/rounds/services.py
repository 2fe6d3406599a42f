"""State changes of the consent round (issue 17; clauses 4.5(e) and 4.5(f)).

Office side: `round_start`, `invite_resend`, `invite_revoke`, `round_remind`, `letters_issue`.
Carer side: `invite_confirm` (the date of birth the school holds) and `carer_answer`, which
records each child's decision through `consents.services.decision_add`, the very rules of
office entry (method "online", the round's wording, today, the carer; the more restrictive
carer wins; a narrowing opens takedown tasks at once). Every step is audited through
`audit.services.record`, never with a token or a code.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.access import require
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record
from notifications.models import Notification
from notifications.services import notify_addresses

from ..models import (
    Carer,
    ConsentDecision,
    ConsentRound,
    ConsentWording,
    RoundInvite,
    Student,
)
from ..models_round import MAX_FAILED_CHECKS
from ..selectors import current_school_year, school_year_of
from ..services import ALL_ITEMS, ConsentError, decision_add
from . import tokens

LINK_KIND = "consents.round_link"
REMINDER_KIND = "consents.round_reminder"


class RoundError(ConsentError):
    """A rule of the round was broken; the message is for the user."""


def _require_manager(actor, school_id: int) -> None:
    require(
        user_has_school_perm(actor, Perm.MANAGE_CONSENT, school_id),
        "Only the school's consent administrators run the consent round.",
    )


def link_path(invite_id: int, secret: str) -> str:
    # Reversed once with a placeholder: a round reverses thousands of links, and the token's
    # characters (URL-safe base 64 and ':') need no quoting.
    template = reverse("carer_consent:link", kwargs={"token": "TOKEN"})
    return template.replace("TOKEN", tokens.link_token(invite_id, secret))


def _email_context(rnd: ConsentRound) -> dict:
    return {"school": rnd.school.name, "ends_on": rnd.ends_on.isoformat(), "year": rnd.year_label}


def round_start(*, actor, school, ends_on: date, wording: ConsentWording) -> ConsentRound:
    """Start the school year's round: an invite for every carer of a student on roll, and one
    email with a personal link (through the outbox) to each who has an email address.

    Set-based for a school of thousands: one read of the carers, one INSERT of invites, one of
    outbox rows, one UPDATE linking them.
    """
    _require_manager(actor, school.pk)
    today = timezone.localdate()
    year = current_school_year()
    if ends_on <= today:
        raise RoundError("Choose an end date after today, for example in four weeks.")
    if school_year_of(ends_on) != year:
        raise RoundError("Choose an end date within this school year (before 1 September).")
    if wording.school_id not in (None, school.pk):
        raise RoundError("That consent wording belongs to another school.")
    with transaction.atomic():
        if ConsentRound.objects.filter(school=school, school_year=year).exists():
            raise RoundError("This school year's round has already been started.")
        rnd = ConsentRound.objects.create(
            school=school, school_year=year, wording=wording, ends_on=ends_on, started_by=actor
        )
        carers = list(
            Carer.objects.filter(school=school, student_links__student__left_on__isnull=True)
            .distinct()
            .values_list("pk", "name", "email")
        )
        secrets_by_carer: dict[int, str] = {}
        invites = []
        for carer_id, _name, email in carers:
            token_hash = ""
            if email:
                secret, token_hash = tokens.new_secret()
                secrets_by_carer[carer_id] = secret
            invites.append(RoundInvite(round=rnd, carer_id=carer_id, token_hash=token_hash))
        RoundInvite.objects.bulk_create(invites, batch_size=2000)
        emailed = _send(rnd, invites, secrets_by_carer, {c[0]: c for c in carers}, LINK_KIND)
        record(
            actor,
            "consent.round_started",
            rnd,
            school.pk,
            {
                "school_year": year,
                "ends_on": ends_on,
                "wording": wording.version,
                "carers": len(invites),
                "emailed": emailed,
            },
        )
    return rnd


def _send(rnd, invites, secrets_by_carer, carers, kind: str) -> int:
    """Outbox rows for the invites with a fresh secret, linked back to their invite."""
    chosen = [i for i in invites if i.carer_id in secrets_by_carer]
    rows = notify_addresses(
        kind,
        [
            (
                carers[i.carer_id][2],
                carers[i.carer_id][1],
                link_path(i.pk, secrets_by_carer[i.carer_id]),
            )
            for i in chosen
        ],
        context=_email_context(rnd),
        school=rnd.school_id,
    )
    now = timezone.now()
    field = "email" if kind == LINK_KIND else "reminder"
    stamp = "sent_at" if kind == LINK_KIND else "reminded_at"
    for invite, row in zip(chosen, rows, strict=True):
        setattr(invite, field, row)
        setattr(invite, stamp, now)
    _link_rows(chosen, field, stamp, now)
    return len(rows)


def _link_rows(invites: list[RoundInvite], field: str, stamp: str, now) -> None:
    """One UPDATE … FROM unnest(arrays) for thousands of invites: Django's bulk_update
    builds a CASE per row and field, which took most of a 3,000-carer round's time."""
    if not invites:
        return
    table = RoundInvite._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} AS i SET token_hash = v.h, {field}_id = v.n, {stamp} = %s "  # noqa: S608
            "FROM (SELECT unnest(%s::bigint[]) AS id, unnest(%s::text[]) AS h, "
            "unnest(%s::bigint[]) AS n) AS v WHERE i.id = v.id",
            [
                now,
                [i.pk for i in invites],
                [i.token_hash for i in invites],
                [getattr(i, f"{field}_id") for i in invites],
            ],
        )


def _live(invite: RoundInvite) -> None:
    if invite.round.ends_on < timezone.localdate():
        raise RoundError("The round has ended.")


def invite_resend(*, actor, invite: RoundInvite) -> RoundInvite:
    """A new link by email: earlier links stop working; a lock after wrong dates of birth
    is lifted (the office has spoken to the carer)."""
    _require_manager(actor, invite.round.school_id)
    _live(invite)
    carer = invite.carer
    if not carer.email:
        raise RoundError(f"{carer} has no email address: print a letter with a code instead.")
    with transaction.atomic():
        invite = RoundInvite.objects.select_for_update().get(pk=invite.pk)
        secret, invite.token_hash = tokens.new_secret()
        invite.failed_checks = 0
        invite.revoked_at = None
        _send(
            invite.round,
            [invite],
            {carer.pk: secret},
            {carer.pk: (carer.pk, carer.name, carer.email)},
            LINK_KIND,
        )
        RoundInvite.objects.filter(pk=invite.pk).update(failed_checks=0, revoked_at=None)
        record(
            actor,
            "consent.round_link_resent",
            invite,
            invite.round.school_id,
            {"carer_id": carer.pk},
        )
    return invite


def invite_revoke(*, actor, invite: RoundInvite) -> RoundInvite:
    """The link and the letter code stop working at once (a wrong address, a family change)."""
    _require_manager(actor, invite.round.school_id)
    with transaction.atomic():
        RoundInvite.objects.filter(pk=invite.pk).update(
            token_hash="", code_hash="", revoked_at=timezone.now()
        )
        invite.refresh_from_db()
        record(
            actor,
            "consent.round_link_revoked",
            invite,
            invite.round.school_id,
            {"carer_id": invite.carer_id},
        )
    return invite


def round_remind(*, actor, rnd: ConsentRound) -> int:
    """One reminder per carer per round: to every carer with an email who has not answered and
    was not reminded yet; a second call sends nothing to them. The reminder carries a fresh
    link (the secret of the first is not kept anywhere to repeat it)."""
    _require_manager(actor, rnd.school_id)
    if rnd.ends_on < timezone.localdate():
        raise RoundError("The round has ended.")
    with transaction.atomic():
        due = list(
            RoundInvite.objects.select_for_update(of=("self",))
            .filter(
                round=rnd,
                reminded_at__isnull=True,
                answered_at__isnull=True,
                revoked_at__isnull=True,
                failed_checks__lt=MAX_FAILED_CHECKS,
            )
            .exclude(carer__email="")
            .select_related("carer")
        )
        secrets_by_carer = {}
        for invite in due:
            secret, invite.token_hash = tokens.new_secret()
            secrets_by_carer[invite.carer_id] = secret
        carers = {i.carer_id: (i.carer_id, i.carer.name, i.carer.email) for i in due}
        sent = _send(rnd, due, secrets_by_carer, carers, REMINDER_KIND)
        record(actor, "consent.round_reminded", rnd, rnd.school_id, {"reminded": sent})
    return sent


def letters_issue(*, actor, rnd: ConsentRound) -> list[tuple[RoundInvite, str]]:
    """Letter codes for carers without email who have not answered: a new code each (the
    earlier letter's stops working). The codes are returned to print, and stored hashed."""
    _require_manager(actor, rnd.school_id)
    if rnd.ends_on < timezone.localdate():
        raise RoundError("The round has ended.")
    out = []
    with transaction.atomic():
        invites = list(
            RoundInvite.objects.select_for_update(of=("self",))
            .filter(round=rnd, carer__email="", revoked_at__isnull=True, answered_at__isnull=True)
            .select_related("carer")
            .order_by("carer__name", "pk")
        )
        now = timezone.now()
        for invite in invites:
            code, invite.code_hash = tokens.new_code()
            invite.letter_at = now
            out.append((invite, code))
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {RoundInvite._meta.db_table} AS i SET code_hash = v.h, "  # noqa: S608
                "letter_at = %s FROM (SELECT unnest(%s::bigint[]) AS id, "
                "unnest(%s::text[]) AS h) AS v WHERE i.id = v.id",
                [now, [i.pk for i in invites], [i.code_hash for i in invites]],
            )
        record(actor, "consent.round_letters_printed", rnd, rnd.school_id, {"letters": len(out)})
    return out


# --- the carer's side -------------------------------------------------------------------------


def invite_confirm(*, invite: RoundInvite, children: list[Student], date_of_birth: date) -> bool:
    """The carer proves they know one fact the school holds: a child's date of birth. A wrong
    answer counts; at MAX_FAILED_CHECKS the link is locked until the office re-sends it."""
    if invite.locked:
        return False
    ok = any(c.date_of_birth == date_of_birth for c in children if c.date_of_birth)
    with transaction.atomic():
        if ok:
            record(None, "consent.round_confirmed", invite, invite.round.school_id, {})
        else:
            RoundInvite.objects.filter(pk=invite.pk).update(failed_checks=F("failed_checks") + 1)
            invite.refresh_from_db(fields=["failed_checks"])
            record(
                None,
                "consent.round_locked" if invite.locked else "consent.round_check_failed",
                invite,
                invite.round.school_id,
                {"failed_checks": invite.failed_checks},
            )
    return ok


def carer_answer(
    *,
    invite: RoundInvite,
    answers: dict[int, tuple[dict[tuple[str, str], bool], str]],
    children: list[Student],
) -> list[ConsentDecision]:
    """The carer's answers, child by child: each a decision event exactly like office entry.

    `answers` maps a child's id to (allowed per purpose × medium, naming). Refusing
    everything is a withdrawal. Effective at once, takedowns included.
    """
    rnd = invite.round
    if rnd.ends_on < timezone.localdate() or invite.revoked_at or invite.locked:
        raise RoundError("This link no longer works.")
    by_id = {c.pk: c for c in children}
    if not answers or set(answers) - set(by_id):
        raise RoundError("Answer for your own children only.")
    decisions = []
    with transaction.atomic():
        for student_id, (allowed, naming) in sorted(answers.items()):
            withdrawal = not any(allowed.values())
            decisions.append(
                decision_add(
                    entered_by=None,
                    student=by_id[student_id],
                    carer=invite.carer,
                    method=ConsentDecision.Method.ONLINE,
                    wording=rnd.wording,
                    given_on=timezone.localdate(),
                    naming="none" if withdrawal else naming,
                    allowed={k: bool(allowed.get(k)) for k in ALL_ITEMS},
                    is_withdrawal=withdrawal,
                )
            )
        RoundInvite.objects.filter(pk=invite.pk).update(answered_at=timezone.now())
        record(
            None,
            "consent.round_answered",
            invite,
            rnd.school_id,
            {
                "children": len(decisions),
                "withdrawals": sum(1 for d in decisions if d.is_withdrawal),
            },
        )
    return decisions


def bounced_q():
    """Invites whose email or reminder the outbox gave up on (delivery failed)."""
    from django.db.models import Q

    failed = Notification.EmailStatus.FAILED
    return Q(email__email_status=failed) | Q(reminder__email_status=failed)


def paper_grid_record(
    *,
    actor,
    rnd: ConsentRound,
    given_on: date,
    rows: list[tuple[Student, int, str, dict[tuple[str, str], bool]]],
) -> list[ConsentDecision]:
    """Paper forms of a class recorded at once, with the rules of office entry
    (`consent_record`): all of them or, if one breaks a rule, none."""
    from ..services import consent_record

    _require_manager(actor, rnd.school_id)
    carers = {
        c.pk: c for c in Carer.objects.filter(pk__in=[r[1] for r in rows], school=rnd.school_id)
    }
    decisions = []
    with transaction.atomic():
        for student, carer_id, naming, allowed in rows:
            if student.school_id != rnd.school_id or carer_id not in carers:
                raise RoundError(f"Choose one of the recorded carers of {student}.")
            decisions.append(
                consent_record(
                    actor=actor,
                    student=student,
                    carer=carers[carer_id],
                    method=ConsentDecision.Method.PAPER,
                    wording=rnd.wording,
                    given_on=given_on,
                    naming=naming,
                    allowed=allowed,
                    is_withdrawal=not any(allowed.values()),
                )
            )
        record(
            actor,
            "consent.round_grid_recorded",
            rnd,
            rnd.school_id,
            {"decisions": len(decisions)},
        )
    return decisions


def invite_open_by_code(*, invite: RoundInvite) -> str:
    """A letter's code typed in: a fresh link for this visit (the code stays valid for the
    carer's next visit). Returns the link's path."""
    secret, token_hash = tokens.new_secret()
    with transaction.atomic():
        RoundInvite.objects.filter(pk=invite.pk).update(token_hash=token_hash)
        record(None, "consent.round_code_used", invite, invite.round.school_id, {})
    return link_path(invite.pk, secret)
