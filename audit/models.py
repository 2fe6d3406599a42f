"""The audit log (clause 6): append-only, hash-chained, readable after a user is deleted."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One recorded action. Written only by audit.services.record; never updated or deleted
    (a PostgreSQL trigger refuses both). `entry_hash` covers this entry's content and the
    previous entry's hash, so an edited or removed row breaks the chain."""

    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # (actor, -id) below serves it
        related_name="+",
    )
    # Copied so history survives a deleted user.
    actor_name = models.CharField(max_length=150, blank=True)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    school = models.ForeignKey(
        "accounts.School",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # (school, -id) below serves it
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["actor", "-id"]),
            models.Index(fields=["school", "-id"]),
            models.Index(fields=["target_type", "target_id"]),
            # The trust administrators' home cards count one action over the last week.
            models.Index(fields=["action", "created_at"]),
            # The log's filter matches actions by prefix (`action__startswith`).
            models.Index(
                fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        # Every state change inserts here, so each index is paid for on every write: no
        # index that another one already serves (single-column FKs, a LIKE index on hashes).
        constraints = [
            models.UniqueConstraint(fields=["entry_hash"], name="audit_entry_hash_unique")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_name or 'system'}"


class AuditChainHead(models.Model):
    """A single row holding the newest entry's hash; locked while appending so entries
    written at the same time still form one chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)

    def __str__(self) -> str:
        return f"audit chain head at entry {self.last_entry_id}"
