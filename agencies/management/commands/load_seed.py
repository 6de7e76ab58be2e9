"""Load the real seed fixtures into a new database; a database that has data is left alone."""
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from agencies.models import Agency, Region

SEED_FIXTURES = ["fixtures/regions.json", "fixtures/categories.json", "fixtures/agencies.json"]


class Command(BaseCommand):
    help = "Load fixtures/ (the five seed bureaus) unless the database already holds agencies or regions."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even into a database that has data.")

    def handle(self, *args, force: bool = False, **options):
        if not force and (Agency.objects.exists() or Region.objects.exists()):
            self.stdout.write("Database already has data; seed fixtures not loaded.")
            return
        with transaction.atomic():
            call_command("loaddata", *SEED_FIXTURES, verbosity=0)
            # loaddata writes no history; give every seed row its starting version so the first
            # staff edit shows what it changed and can be reverted.
            call_command("populate_history", auto=True, verbosity=0)
        self.stdout.write(f"Loaded seed fixtures: {Agency.objects.count()} agencies.")
