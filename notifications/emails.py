"""Email bodies of notifications: subject, text and HTML per kind, and the weekly digest.

Kinds are data (notifications.kinds), so instead of one function per email kind (healthchecks
`hc/lib/emails.py`) each kind has a text and an HTML template. A confidential kind (breaches,
credentials; clauses 4.5c, 7) is rendered WITHOUT the notification's context: its template
cannot leak what it never receives, and the email is a pointer to the portal.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urljoin

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BlockNode
from django.urls import reverse
from django.utils.safestring import mark_safe

from .kinds import get_kind, template_names
from .models import Notification

DIGEST_SUBJECT = "Your weekly reminders from the policy portal"


def absolute_url(path: str) -> str:
    """An absolute link for an email, built from settings.SITE_URL."""
    if not path:
        path = reverse("notifications:list")
    return urljoin(settings.SITE_URL.rstrip("/") + "/", path)


def _common(recipient) -> dict:
    return {
        "recipient_name": recipient.get_full_name() or recipient.email,
        "trust_name": settings.TRUST_NAME,
        "site_url": settings.SITE_URL,
        "preferences_url": absolute_url(reverse("notifications:preferences")),
    }


def _for_address(n: Notification) -> dict:
    # Someone without an account (a carer): no portal preferences to point to.
    return {
        "recipient_name": n.to_name or n.to_email,
        "trust_name": settings.TRUST_NAME,
        "site_url": settings.SITE_URL,
        "preferences_url": "",
        "external": True,
    }


def template_context(n: Notification) -> dict:
    """What a kind's templates see. Confidential kinds get no `context` and no school."""
    kind = get_kind(n.kind)
    data = _common(n.recipient) if n.recipient_id else _for_address(n)
    data |= {
        "subject": kind.subject,
        "link": absolute_url(n.link),
        "confidential": kind.confidential,
    }
    if not kind.confidential:
        data["context"] = n.context
        data["school_name"] = n.school.name if n.school_id else ""
    return data


def build_message(n: Notification) -> EmailMultiAlternatives:
    """The email for one notification (text with an HTML alternative)."""
    kind = get_kind(n.kind)
    text_name, html_name = template_names(n.kind)
    data = template_context(n)
    message = EmailMultiAlternatives(
        subject=kind.subject,
        body=render_to_string(text_name, data),
        to=[n.email_address],
    )
    message.attach_alternative(render_to_string(html_name, data), "text/html")
    return message


def _body_block(name: str, data: dict, *, autoescape: bool) -> str:
    """The `body` block of a kind's template on its own, for listing it inside the digest."""
    template = get_template(name).template
    for node in template.nodelist.get_nodes_by_type(BlockNode):
        if node.name == "body":
            rendered = node.render(Context(data, autoescape=autoescape)).strip()
            # The block was rendered with autoescaping on: it is safe HTML, not text to escape.
            return mark_safe(rendered) if autoescape else rendered  # noqa: S308
    return ""


def digest_items(notifications: Sequence[Notification]) -> list[dict]:
    """One entry per held notification; confidential ones are a link and nothing else."""
    items = []
    for n in notifications:
        kind = get_kind(n.kind)
        text_name, html_name = template_names(n.kind)
        data = template_context(n)
        item = {"link": data["link"], "confidential": kind.confidential, "created_at": n.created_at}
        if kind.confidential:
            item["subject"] = "Something needs your attention"
        else:
            item["subject"] = kind.subject
            item["school_name"] = data["school_name"]
            item["text"] = _body_block(text_name, data, autoescape=False)
            item["html"] = _body_block(html_name, data, autoescape=True)
        items.append(item)
    return items


def build_digest(recipient, notifications: Sequence[Notification]) -> EmailMultiAlternatives:
    """One email listing a week of held reminders (issue: notifications, weekly digest)."""
    data = _common(recipient) | {
        "subject": DIGEST_SUBJECT,
        "items": digest_items(notifications),
        "link": absolute_url(reverse("notifications:list")),
    }
    message = EmailMultiAlternatives(
        subject=DIGEST_SUBJECT,
        body=render_to_string("notifications/email/_digest.txt", data),
        to=[recipient.email],
    )
    message.attach_alternative(
        render_to_string("notifications/email/_digest.html", data), "text/html"
    )
    return message
