"""Reports of inappropriate comments (4.5h) and of suspected fake accounts (4.1)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import School, User
from accounts.roles import Perm
from accounts.selectors import user_has_school_perm
from audit.services import record
from notifications.services import notify
from portal import uploads
from portal.images import ImageRefused, reencode

from .. import selectors
from ..models import (
    CommentReport,
    FakeAccountReport,
    OfficialAccount,
    Platform,
)
from .checks import ChannelError, Status, _context, _event


def check_screenshot(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of a PNG, JPEG or WebP screenshot, by its first bytes (the
    name and the browser's content type are not trusted), within the size limit."""
    limit = selectors.conf("SCREENSHOT_MAX_BYTES")
    if upload.size > limit:
        raise ChannelError(
            f"The screenshot is too large: at most {limit // (1024 * 1024)} MB.", "screenshot"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = uploads.sniff(head)
    if kind not in uploads.IMAGES:
        raise ChannelError("The screenshot must be a PNG, JPEG or WebP image.", "screenshot")
    return kind.content_type, kind.extension


def comment_report_create(
    *,
    actor: User,
    account: OfficialAccount,
    comment_url: str,
    was_removed: bool,
    description: str = "",
    screenshot: UploadedFile | None = None,
) -> CommentReport:
    """Report an inappropriate comment on an official account to the school's leadership
    team (4.5h). The comment should be removed first; the report says whether it was."""
    if account.status in (Status.DRAFT, Status.REJECTED):
        raise ChannelError("Comments are reported on accounts that are or were in use.")
    kind = check_screenshot(screenshot) if screenshot else None
    report = CommentReport(
        account=account,
        school_id=account.school_id,
        reporter=actor,
        comment_url=comment_url,
        was_removed=was_removed,
        description=(description or "").strip(),
    )
    if kind:
        # Screenshots from phones carry EXIF location: removed as for breach evidence.
        screenshot.seek(0)
        try:
            cleaned = reencode(screenshot.read(), kind[0])  # issue 14: decoded, pixel limit
        except (uploads.UploadRefused, ImageRefused) as exc:
            raise ChannelError(str(exc), "screenshot") from None
    with transaction.atomic():
        if kind:
            report.screenshot_type, report.screenshot_ext = kind
            report.screenshot.save("screenshot", ContentFile(cleaned), save=False)
        report.save()
        _event(account, actor, "comment_reported", account.status, f"Comment report #{report.pk}")
        record(
            actor,
            "comment_report.created",
            report,
            account.school,
            {"account_id": account.pk, "was_removed": was_removed, "screenshot": bool(kind)},
        )
        notify(
            selectors.comment_report_recipients(account.school_id),
            "channels.comment_reported",
            context=_context(account, removed="yes" if was_removed else "no"),
            link=reverse("channels:comment_report_detail", kwargs={"pk": report.pk}),
            school=account.school,
        )
    return report


def comment_report_close(*, actor: User, report: CommentReport, note: str) -> CommentReport:
    """A member of the leadership team records what was done about the comment (4.5h)."""
    with transaction.atomic():
        report = CommentReport.objects.select_for_update().get(pk=report.pk)
        if report.status != CommentReport.Status.OPEN:
            raise ChannelError("This report is already dealt with.")
        if not user_has_school_perm(actor, Perm.RECEIVE_COMMENT_REPORTS, report.school_id):
            raise ChannelError("Only the school's leadership team deals with comment reports.")
        note = (note or "").strip()
        if not note:
            raise ChannelError("Say what was done.", "note")
        report.status = CommentReport.Status.CLOSED
        report.closed_at = timezone.now()
        report.closed_by = actor
        report.closing_note = note
        report.save(update_fields=["status", "closed_at", "closed_by", "closing_note"])
        record(actor, "comment_report.closed", report, report.school_id, {"note": note})
    return report


def fake_report_create(
    *,
    actor: User,
    school: School,
    platform: Platform | None,
    handle: str,
    url: str,
    description: str,
) -> FakeAccountReport:
    """Anyone signed in reports an account that uses a school's name but is not official."""
    if not selectors.fake_report_schools_for(actor).filter(pk=school.pk).exists():
        raise ChannelError("Choose a school of the trust.", "school")
    handle, url, description = handle.strip(), url.strip(), description.strip()
    if not handle and not url:
        raise ChannelError("Give the account's name or its address.", "handle")
    if not description:
        raise ChannelError("Say what you saw.", "description")
    with transaction.atomic():
        report = FakeAccountReport.objects.create(
            school=school,
            reporter=actor,
            platform=platform,
            handle=handle,
            url=url,
            description=description,
        )
        # The same register check as the public form (channels.fake_reports, issue 15).
        from ..fake_reports import match_for_staff_report, staff_report_context

        matched = match_for_staff_report(report)
        record(
            actor,
            "fake_account.reported",
            report,
            school,
            {
                "platform": platform.name if platform else "",
                "handle": handle,
                "url": url,
                "on_register": matched.pk if matched else None,
            },
        )
        notify(
            selectors.fake_report_recipients(school),
            "channels.fake_reported",
            context=staff_report_context(report),
            link=reverse("channels:fake_report_detail", kwargs={"pk": report.pk}),
            school=school,
        )
    return report


def fake_report_resolve(
    *, actor: User, report: FakeAccountReport, resolution: str
) -> FakeAccountReport:
    """A leader of the school records what was done (reported to the platform, genuine...)."""
    with transaction.atomic():
        report = FakeAccountReport.objects.select_for_update().get(pk=report.pk)
        if report.status != FakeAccountReport.Status.OPEN:
            raise ChannelError("This report is already resolved.")
        if not selectors.may_handle_fake_report(actor, report):
            raise ChannelError("Only a leader of the school resolves this report.")
        resolution = (resolution or "").strip()
        if not resolution:
            raise ChannelError("Say what was done.", "resolution")
        report.status = FakeAccountReport.Status.RESOLVED
        report.resolved_at = timezone.now()
        report.resolved_by = actor
        report.resolution = resolution
        report.save(update_fields=["status", "resolved_at", "resolved_by", "resolution"])
        record(actor, "fake_account.resolved", report, report.school_id, {"resolution": resolution})
        notify(
            [report.reporter] if report.reporter_id else [],  # none for a public report
            "channels.fake_resolved",
            context={"school": report.school.name, "handle": report.handle},
            link=reverse("channels:fake_report_detail", kwargs={"pk": report.pk}),
            school=report.school_id,
        )
    return report
