"""manage.py audit_keys: the audit log's keys, without ever printing a secret one
(docs/security.md, "Keys of the audit log").

    audit_keys show            key ids of the chain and the anchor (current first), how many
                               entries each chain key made, and the anchor public keys
    audit_keys new --id ID     a new random key "ID:base64", to put first in AUDIT_CHAIN_KEYS
                               or AUDIT_ANCHOR_KEYS (printed once, stored nowhere)
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from audit.anchor import public_keys
from audit.keys import KEY_ID_PATTERN, anchor_keyring, chain_keyring, generate_key
from audit.models import AuditEntry


class Command(BaseCommand):
    help = "Show the audit chain and anchor key ids (and anchor public keys), or make a new key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("show", help="Key ids in use, entries per chain key, anchor public keys.")
        new = sub.add_parser("new", help="Print a new random key for a keyring.")
        new.add_argument("--id", required=True, help="Its id, e.g. k2 (letters, digits . _ -).")

    def handle(self, *args, action: str, **options):
        if action == "new":
            key_id = options["id"]
            if not KEY_ID_PATTERN.match(key_id):
                raise CommandError("A key id is 1-32 letters, digits, '.', '_' or '-'.")
            self.stdout.write(f"{key_id}:{generate_key()}")
            return
        chain = chain_keyring()
        made = dict(AuditEntry.objects.values_list("key_id").annotate(n=Count("id")).order_by())
        self.stdout.write("Chain keys (HMAC-SHA256), current first:")
        for key_id in chain.order:
            self.stdout.write(f"  {key_id}: {made.pop(key_id, 0)} entries")
        if "" in made:
            self.stdout.write(f"  (plain SHA-256, before keying): {made.pop('')} entries")
        for key_id, n in sorted(made.items()):
            self.stdout.write(f"  {key_id}: {n} entries, NOT CONFIGURED (they cannot be verified)")
        self.stdout.write("Anchor keys (Ed25519), current first, with their public keys:")
        for key_id, public in public_keys(anchor_keyring()).items():
            self.stdout.write(f"  {key_id}: {public}")
