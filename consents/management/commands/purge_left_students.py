from django.core.management.base import BaseCommand

from consents.retention import purge_left_students


class Command(BaseCommand):
    help = (
        "Delete students (and their consent records) who left longer ago than the retention period."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"Purged {purge_left_students()} students.")
