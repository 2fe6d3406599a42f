"""Accounts pretending to be a school (4.1; issue 15): the public report from the register,
the check against the register, the flood limits, and each school's contact for concerns.

A member of the public reports without signing in. What protects the school's leaders from a
flood, without a third-party captcha:
- a size limit on the request and on every field (the view and PublicFakeReportForm);
- a honeypot field people never see (a bot that fills it is thanked and nothing is stored);
- per address limits, counted in the database on a keyed hash of the address (never the address
  itself): `PUBLIC_REPORTS_PER_HOUR` and `PUBLIC_REPORTS_PER_DAY`, taken under an advisory lock
  so that parallel requests cannot slip past them;
- the leaders' email about public reports is sent at most once per school and hour (the reports
  themselves are all listed in the portal).

The reporter learns nothing about other reports: every accepted report gets the same answer,
which says only whether the address is on the public register (public information).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, User
from accounts.roles import Perm
from accounts.selectors import school_ids_with_perm, user_has_school_perm
from audit.services import record
from notifications.services import notify

from . import selectors
from .models import ConcernsContact, FakeAccountReport, OfficialAccount, Platform

Status = OfficialAccount.Status

DEFAULTS = {"PUBLIC_REPORTS_PER_HOUR": 3, "PUBLIC_REPORTS_PER_DAY": 10}
# Largest request body the public form accepts (every field at its maximum is well under it).
MAX_REQUEST_BYTES = 16 * 1024


def conf(name: str) -> int:
    return getattr(settings, "CHANNELS", {}).get(name, DEFAULTS[name])


class ReportRefused(Exception):
    """Too many reports from one address: the message is for the person."""


# --- the register check ----------------------------------------------------------------------


def register_match(*, platform: Platform | None, handle: str, url: str) -> OfficialAccount | None:
    """The active official account (one on the public register) the report names, if any:
    by address, or by name on the platform given (on any platform when none is)."""
    from .services.checks import normalise_handle, normalise_url

    conditions = Q()
    if url.strip():
        conditions |= Q(url_key=normalise_url(url))
    if handle.strip():
        by_name = Q(handle_key=normalise_handle(handle))
        if platform is not None:
            by_name &= Q(platform=platform)
        conditions |= by_name
    if not conditions:
        return None
    return (
        OfficialAccount.objects.filter(conditions, status=Status.ACTIVE)
        .select_related("school", "platform")
        .order_by("pk")
        .first()
    )


def register_warning(account: OfficialAccount) -> str:
    """What the reporter (public or staff) is told when the address is on the register."""
    return (
        f"{account.handle} on {account.platform.name} is on the public register: it is an "
        f"official account of {account.school.name}. If it is behaving strangely it may have been "
        "taken over, so the school's leaders are told to check it."
    )


def _context(report: FakeAccountReport, *, public: bool) -> dict:
    matched = report.matched_account
    return {
        "school": report.school.name,
        "handle": report.handle,
        "url": report.url,
        "public": public,
        "on_register": f"{matched.handle} on {matched.platform.name}" if matched else "",
    }


# --- the public report -----------------------------------------------------------------------


def client_key(address: str | None) -> str:
    """A keyed hash of the client address: enough to count, useless to anyone reading the
    table without the server's secret."""
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"fake-report:{address or ''}".encode(), hashlib.sha256).hexdigest()


def _check_rate(key: str) -> None:
    now = timezone.now()
    with connection.cursor() as cursor:
        # One address at a time: parallel requests from it wait here and then count.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 15))", [key])
    recent = FakeAccountReport.objects.filter(
        client_key=key, created_at__gte=now - timedelta(days=1)
    ).values_list("created_at", flat=True)
    times = list(recent)
    last_hour = sum(1 for t in times if t >= now - timedelta(hours=1))
    if last_hour >= conf("PUBLIC_REPORTS_PER_HOUR") or len(times) >= conf("PUBLIC_REPORTS_PER_DAY"):
        raise ReportRefused(
            "You have sent several reports in a short time, so this one was not sent. Please "
            "try again later, or contact the school directly."
        )


def fake_report_public(
    *,
    school: School,
    platform: Platform | None,
    handle: str,
    url: str,
    description: str,
    reply_to: str = "",
    client_address: str | None,
) -> FakeAccountReport:
    """A member of the public reports an account pretending to be one of the trust's schools
    (4.1). No sign-in: limited per address; the school's leaders get it as a fake-account
    report, told when the address is one of the school's official accounts."""
    handle, url, description = handle.strip(), url.strip(), description.strip()
    key = client_key(client_address)
    with transaction.atomic():
        _check_rate(key)
        matched = register_match(platform=platform, handle=handle, url=url)
        report = FakeAccountReport.objects.create(
            school=school,
            reporter=None,
            source=FakeAccountReport.Source.PUBLIC,
            platform=platform,
            handle=handle,
            url=url,
            description=description,
            reply_to=reply_to.strip(),
            client_key=key,
            matched_account=matched,
        )
        record(
            None,
            "fake_account.reported",
            report,
            school,
            {
                "source": "public",
                "platform": platform.name if platform else "",
                "handle": handle,
                "url": url,
                "on_register": matched.pk if matched else None,
            },
        )
        hour = timezone.now().strftime("%Y%m%d%H")
        notify(
            selectors.fake_report_recipients(school),
            "channels.fake_reported",
            context=_context(report, public=True),
            link=reverse("channels:fake_report_list"),
            school=school,
            # However many arrive, the leaders get one email an hour per school; the list
            # in the portal shows every report.
            dedupe_key=f"channels.fake_public:{school.pk}:{hour}",
        )
    return report


def match_for_staff_report(report: FakeAccountReport) -> OfficialAccount | None:
    """Staff reports get the same check (called by services.fake_report_create inside its
    transaction): the match is kept on the report and returned for the warning."""
    matched = register_match(platform=report.platform, handle=report.handle, url=report.url)
    if matched is not None:
        report.matched_account = matched
        report.save(update_fields=["matched_account"])
    return matched


def staff_report_context(report: FakeAccountReport) -> dict:
    return _context(report, public=False)


# --- the contact for concerns ------------------------------------------------------------------


class ContactError(Exception):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def contact_schools_for(user) -> list[School]:
    """Schools whose contact for concerns the person keeps: their leaders."""
    return list(
        School.objects.filter(pk__in=school_ids_with_perm(user, Perm.APPROVE_CHANNEL))
        .select_related("concerns_contact")
        .order_by("name")
    )


def concerns_contact_set(
    *, actor: User, school: School, name: str, email: str, phone: str = ""
) -> ConcernsContact:
    """A leader of the school sets who the public contacts about the school's accounts (4.1);
    the public register shows it."""
    if not user_has_school_perm(actor, Perm.APPROVE_CHANNEL, school.pk):
        raise ContactError("Only a leader of the school sets its contact for concerns.")
    name, email, phone = name.strip(), email.strip(), phone.strip()
    if not name or not email:
        raise ContactError("Give a name and an email address.", "email")
    with transaction.atomic():
        contact, created = ConcernsContact.objects.select_for_update().get_or_create(
            school=school, defaults={"name": name, "email": email, "phone": phone}
        )
        if not created:
            contact.name, contact.email, contact.phone = name, email, phone
            contact.save()
        record(
            actor,
            "school.concerns_contact_set",
            contact,
            school,
            {"name": name, "email": email, "phone": phone},
        )
    return contact
