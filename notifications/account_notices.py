"""The people-and-access area's notices (clause 7.3 "notify"; issue 20).

accounts sits below this app and cannot notify anyone itself: its services send the signals
of `accounts.events` inside the transaction of the change, and this module turns them into
outbox rows in that same transaction, so a notice commits with its cause or not at all:

- `accounts.role_changed` to the person, when someone else gave or took away one of their
  roles (`role_changed`; not for a role that comes with an invitation, whose email says so);
- `accounts.leaver` to the leaders and headteacher of each school the leaver worked at
  (`user_left`);
- `accounts.emergency_sign_in` to every trust administrator when one of them used the
  password sign-in while it is off for everyone else (`emergency_signed_in`, issue 20).

Connected from NotificationsConfig.ready(), like the audit chain's alerts (audit_alerts.py).
"""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from accounts.events import emergency_signed_in, role_changed, user_left
from accounts.models import School
from accounts.roles import SchoolRole, TrustRoleKind
from accounts.selectors import holders_of_role, trust_role_holders

from .kinds import Kind, register
from .services import notify

# Issue 20: the password sign-in used while it is off for everyone else. (The kinds
# accounts.role_changed and accounts.leaver are among notifications.kinds' own.)
register(
    "accounts.emergency_sign_in",
    Kind("A trust administrator used the emergency sign-in"),
)


def _person_link(user) -> str:
    return reverse("accounts:person_detail", kwargs={"pk": user.pk})


@receiver(role_changed, dispatch_uid="notifications.account_notices.role_changed")
def tell_the_person(
    sender, user, school, label, change, actor=None, notify_person=True, **kwargs
) -> None:
    if not notify_person or actor is None or actor.pk == user.pk:
        return
    notify(
        [user],
        "accounts.role_changed",
        context={"change": change, "role_label": label},
        link=_person_link(user),
        school=school,
    )


@receiver(user_left, dispatch_uid="notifications.account_notices.leaver")
def tell_the_leaders(sender, user, event=None, **kwargs) -> None:
    # The schools are those the LeaverEvent recorded (the person's roles at the time); a
    # user_left sent without one names no school, so it tells no one.
    school_ids = event.school_ids if event is not None else []
    link = _person_link(user)
    for school in School.objects.filter(pk__in=school_ids):
        notify(
            holders_of_role(school, SchoolRole.LEADER, SchoolRole.HEADTEACHER),
            "accounts.leaver",
            context={"name": str(user)},
            link=link,
            school=school,
        )


@receiver(emergency_signed_in, dispatch_uid="notifications.account_notices.emergency")
def tell_the_trust_administrators(sender, user, **kwargs) -> None:
    notify(
        trust_role_holders(TrustRoleKind.TRUST_ADMIN),
        "accounts.emergency_sign_in",
        context={"name": user.get_full_name()},
        link=reverse("audit:list"),
    )
