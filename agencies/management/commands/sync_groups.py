"""Re-create the staff groups and reset their permissions to the definitions in agencies.permissions."""
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.permissions import groups_sync


class Command(BaseCommand):
    help = "Create or re-sync the groups Administrators, Editors, Agency editors and Viewers."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = groups_sync()
        summary = ", ".join(f"{name}: {count} permissions" for name, count in counts.items())
        self.stdout.write(f"Synced groups ({summary}).")
