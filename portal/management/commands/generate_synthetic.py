"""Generate the synthetic national-scale dataset for benchmarks (clearly marked; never real data)."""
import time

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from agencies.services import tables_analyze
from portal.synthetic import synthetic_delete, synthetic_generate


class Command(BaseCommand):
    help = "Create N synthetic agencies (default 3,300; at most 100,000) with duties, contacts and hours."

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=3300, help="How many agencies (1–100,000).")
        parser.add_argument("--duties", type=int, default=15, help="Duties per agency.")
        parser.add_argument("--replace", action="store_true", help="Delete earlier synthetic data first.")

    def handle(self, *args, agencies: int, duties: int, replace: bool, **options):
        if not 1 <= agencies <= 100_000:
            raise CommandError("--agencies must be between 1 and 100,000.")
        if Agency.objects.filter(is_synthetic=True).exists():
            if not replace:
                raise CommandError("Synthetic data exists already; pass --replace to regenerate it.")
            synthetic_delete()
        started = time.perf_counter()
        created = synthetic_generate(agencies=agencies, duties_per_agency=duties)
        tables_analyze()  # a bulk load: the planner needs fresh statistics for national-scale plans
        if options["verbosity"]:
            self.stdout.write(f"Generated {created} synthetic agencies in {time.perf_counter() - started:.1f} s.")
