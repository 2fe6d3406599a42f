"""Events of the people-and-access area that later features act on (docs/architecture.md,
"Plug points"): accounts names no app above it, so whatever follows a change here (a notice,
an account handover, a credential rotation) connects to one of these.

The signals are sent *inside* the transaction of the change: a receiver that raises rolls the
whole change back, a notice written by a receiver (an outbox row) commits with its cause or
not at all, and anything slow (email, Celery) must be deferred with `transaction.on_commit`.
Connect receivers from your AppConfig.ready(), e.g.

    from accounts.events import user_left

    @receiver(user_left)
    def hand_over_accounts(sender, user, event, actor, **kwargs): ...

user_left
    A person was deactivated (accounts.services.user_deactivate). Keyword arguments:
    `user` (accounts.User, already inactive), `event` (accounts.LeaverEvent: reason, schools
    held, when), `actor` (the trust administrator). Sender: accounts.models.User.
    Used by: account handover (4.5c: an official account whose owner left needs a new
    owner) and credential rotation (login details the leaver could see must change).

role_removed
    A role was taken away (accounts.services.role_remove / trust_role_remove). Keyword
    arguments: `user`, `school` (accounts.School, or None for a trust-wide role), `role`
    (a SchoolRole or TrustRoleKind value), `actor` (may be None). Sender:
    accounts.models.Membership or accounts.models.TrustRole. Used by credential rotation.

role_changed
    A role was given or taken away (accounts.services.role_assign / role_remove /
    trust_role_assign / trust_role_remove), sent where the audit entry is written. Keyword
    arguments: `user`, `school` (None for a trust-wide role), `role` (the value), `label` (its
    name as people read it), `change` ("assigned" or "removed"), `actor` (may be None),
    `notify_person` (False when the role comes with an invitation, whose email says so).
    Sender: accounts.models.Membership or accounts.models.TrustRole. Used by notifications
    (notifications/account_notices.py: the person is told when someone else changed it).

emergency_signed_in
    A trust administrator used the emergency password sign-in while password sign-in is off
    for everyone else (accounts.sso.views.EmergencySignInView), sent in the transaction that
    records `auth.emergency_sign_in`. Keyword argument: `user`. Sender:
    accounts.models.User. Used by notifications (every trust administrator is told).

The leaders' notice that someone left connects to `user_left`.
"""

from django.dispatch import Signal

user_left = Signal()
role_removed = Signal()
role_changed = Signal()
emergency_signed_in = Signal()
