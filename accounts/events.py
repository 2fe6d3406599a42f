"""Events of the people-and-access area that later features act on.

Both signals are sent by services *inside* their transaction: a receiver that raises rolls the
whole change back, and anything slow (email, Celery) must be deferred with
`transaction.on_commit`. Connect receivers from your AppConfig.ready(), e.g.

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
"""

from django.dispatch import Signal

user_left = Signal()
role_removed = Signal()
