"""Signals of the audit log. Every audited change passes through `services.record`, so other
apps learn here that something changed without each service telling them."""

from django.dispatch import Signal

# Sent after the transaction that recorded an audit entry commits (never for a rollback):
# sender=AuditEntry, actor_id=<user id>, action=<code>, school_id=<id or None>. Entries
# without a signed-in actor send nothing. The dashboard's cache uses it so that a viewer's
# own change is never hidden by figures computed before it.
change_committed = Signal()

# Sent inside the transaction that records a run of the chain check (a ChainCheck row):
# sender=ChainCheck, check=<the row>. Receivers write their notifications in the same
# transaction (the outbox), so an alert is never lost and never sent for a check that was
# not recorded. The notifications app connects the trust administrators' alerts and the
# daily checkpoint email (notifications/audit_alerts.py).
chain_checked = Signal()
