"""Signals of the audit log. Every audited change passes through `services.record`, so other
apps learn here that something changed without each service telling them."""

from django.dispatch import Signal

# Sent after the transaction that recorded an audit entry commits (never for a rollback):
# sender=AuditEntry, actor_id=<user id>, action=<code>, school_id=<id or None>. Entries
# without a signed-in actor send nothing. The dashboard's cache uses it so that a viewer's
# own change is never hidden by figures computed before it.
change_committed = Signal()
