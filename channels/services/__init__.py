"""Every state change of official accounts, their reviews and reports (clauses 4.1–4.5, 5.13),
one module per concern (docs/architecture.md).

Each service checks its rule, runs in one transaction, writes the AccountEvent row, the audit
entry and the notification together, and raises ChannelError with a message for the person.
"""

from .checks import (
    ACCOUNT_DETAIL_FIELDS,
    ACCOUNT_FIELDS,
    ATTESTATIONS,
    ChannelError,
    normalise_handle,
    normalise_url,
    registration_problems,
    youngest_year_group,
)
from .decisions import account_approve, account_reject, account_request_changes
from .leavers import account_handover, accounts_flag_leaver
from .lifecycle import account_activate, account_close, account_reinstate, account_suspend
from .platforms import PLATFORM_FIELDS, platform_save
from .registration import account_register, account_submit, account_update
from .reminders import send_approval_reminders, send_review_reminders
from .reports import (
    check_screenshot,
    comment_report_close,
    comment_report_create,
    fake_report_create,
    fake_report_resolve,
)
from .reviews import account_review

__all__ = [
    "ACCOUNT_DETAIL_FIELDS",
    "ACCOUNT_FIELDS",
    "ATTESTATIONS",
    "ChannelError",
    "PLATFORM_FIELDS",
    "account_activate",
    "account_approve",
    "account_close",
    "account_handover",
    "account_register",
    "account_reinstate",
    "account_reject",
    "account_request_changes",
    "account_review",
    "account_submit",
    "account_suspend",
    "account_update",
    "accounts_flag_leaver",
    "check_screenshot",
    "comment_report_close",
    "comment_report_create",
    "fake_report_create",
    "fake_report_resolve",
    "normalise_handle",
    "normalise_url",
    "platform_save",
    "registration_problems",
    "send_approval_reminders",
    "send_review_reminders",
    "youngest_year_group",
]
