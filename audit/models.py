"""The audit log (clause 6): append-only, hash-chained with a key kept outside the database,
anchored outside it, readable after a user is deleted."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One recorded action. Written only by audit.services.record (or record_many); never
    updated or deleted (a PostgreSQL trigger refuses both). `entry_hash` is an HMAC, under the
    chain key `key_id`, of this entry's content, its lane and the previous entry's hash in that
    lane, so an edited or removed row breaks the chain (audit/chain.py)."""

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
    # The lane of the chain the entry was appended to (audit/chain.py); the entries written
    # before the chain had lanes form lane 1. A database default: adding it rewrites nothing.
    lane = models.SmallIntegerField(default=1, db_default=1)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    # The chain key the hash was made with (audit/keys.py); empty for the entries written
    # before the chain was keyed, whose hash is plain SHA-256.
    key_id = models.CharField(max_length=32, blank=True, default="")
    # Issue 19 (audit/personal.py): the data subject the entry's personal parts belong to
    # ("consents.student:42") and those parts, encrypted under the subject's key. Both are
    # hashed when present; destroying the key (disposal) leaves the chain intact.
    subject = models.CharField(max_length=100, blank=True, default="", db_default="")
    sealed = models.BinaryField(null=True, blank=True)

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
            # Subject access and disposal find a person's entries (most entries have none).
            models.Index(fields=["subject"], name="audit_subject", condition=~models.Q(subject="")),
        ]
        # Every state change inserts here, so each index is paid for on every write: no
        # index that another one already serves (single-column FKs, a LIKE index on hashes).
        constraints = [
            models.UniqueConstraint(fields=["entry_hash"], name="audit_entry_hash_unique")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} by {self.actor_name or 'system'}"


class AuditSubjectKey(models.Model):
    """The key that opens the personal parts of the audit entries about one data subject
    (issue 19, audit/personal.py), wrapped with a key derived from the chain key. Deleting
    the row is the disposal of those parts (crypto-shredding); it is the one audit table
    whose rows are deleted."""

    subject = models.CharField(max_length=100, unique=True)
    wrapped = models.BinaryField()
    wrap_key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"audit key of {self.subject}"


class AuditChainHead(models.Model):
    """One lane of the chain (`id` is the lane number, 1 to AUDIT_CHAIN_LANES, created when
    first needed): its newest entry's hash. A transaction that appends takes a lane no other
    one holds and keeps it locked until it ends, so the lane's entries form one chain in id
    order while other transactions append to other lanes (audit.services.record). It proves
    nothing by itself (whoever can edit the table can edit it): the checkpoints outside the
    database do (audit/anchor.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_hash = models.CharField(max_length=64)
    last_entry_id = models.BigIntegerField(null=True)
    # The newest entry's chain key: a process holding only older keys must not append
    # (audit.chain.key_for_append), or the chain would go back to a retired key.
    # A database default too: the data migration that creates this row (0003) predates it.
    last_key_id = models.CharField(max_length=32, blank=True, default="", db_default="")

    def __str__(self) -> str:
        return f"audit chain lane {self.id} at entry {self.last_entry_id}"


class ChainCheck(models.Model):
    """One run of the chain check (clause 6: monitoring): the daily check of the whole chain
    against the checkpoints, or the hourly check of the entries since the last checkpoint
    before a new one is written. Shown to trust administrators (audit:chain); a failed run
    alerts them through the outbox (audit.signals.chain_checked)."""

    class Kind(models.TextChoices):
        FULL = "full", "Whole chain"
        CHECKPOINT = "checkpoint", "Since the last checkpoint"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    checked = models.PositiveBigIntegerField(default=0)  # entries
    legacy = models.PositiveBigIntegerField(default=0)  # of which hashed before keying
    first_entry_id = models.BigIntegerField(null=True, blank=True)
    last_entry_id = models.BigIntegerField(null=True, blank=True)
    broken_entry_id = models.BigIntegerField(null=True, blank=True)
    problem = models.TextField(blank=True)
    checkpoints_compared = models.PositiveIntegerField(default=0)
    # The signed line this run appended to the anchor file, if it wrote one.
    checkpoint = models.TextField(blank=True)
    checkpoint_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        state = "intact" if self.ok else f"broken at #{self.broken_entry_id}"
        return f"{self.get_kind_display()} check of {self.started_at:%Y-%m-%d %H:%M}: {state}"
