"""Emails the accounts area sends directly (not through the notification outbox).

An invitation goes to someone who cannot sign in yet, so it has no portal notification to
show; it is sent after commit with a one-time link (subject, text and HTML templates).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

logger = logging.getLogger(__name__)


def invitation_link(user) -> str:
    """Absolute one-time link to set a password. The token dies once the password is set
    (it hashes the password) and after PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "accounts:invite_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return settings.SITE_URL.rstrip("/") + path


def send_invitation(user_id: int) -> None:
    from .models import User

    user = User.objects.filter(pk=user_id, is_active=True).select_related("invited_by").first()
    if user is None or user.has_usable_password():
        return  # accepted or deactivated in the meantime: a link would be useless
    context = {
        "user": user,
        "link": invitation_link(user),
        "invited_by": user.invited_by,
        "trust_name": settings.TRUST_NAME,
        "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    subject = render_to_string("accounts/invite_email_subject.txt", context).strip()
    try:
        send_mail(
            subject,
            render_to_string("accounts/invite_email.txt", context),
            None,
            [user.email],
            html_message=render_to_string("accounts/invite_email.html", context),
        )
    except Exception as exc:
        # The account is committed; the administrator can resend from the person's page.
        # Log the kind of failure only: the message could quote the link.
        logger.error("Invitation email for user %s not sent: %s", user_id, type(exc).__name__)
