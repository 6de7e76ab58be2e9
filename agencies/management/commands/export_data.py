"""Export one table as CSV (UTF-8 with BOM, for Excel), XLSX or JSON: `manage.py export_data duties -o d.csv`."""
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from agencies.services import export_dataset, resource_classes


class Command(BaseCommand):
    help = "Export regions, agencies, contacts, office hours, special days, holidays, duties, ... with natural keys."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(resource_classes()))
        parser.add_argument("-o", "--output", type=Path, help="File to write (default: standard output).")
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], help="Default: from --output, else csv.")
        parser.add_argument("--user", help="Export only what this staff user may see.")

    def handle(self, *args, resource, output=None, format=None, user=None, **options):
        file_format = format or (output.suffix.lstrip(".").lower() if output else "csv")
        staff = get_user_model().objects.get(username=user) if user else None
        data = export_dataset(resource_name=resource, user=staff, file_format=file_format)
        if output is None:
            sys.stdout.buffer.write(data)
            return
        output.write_bytes(data)
        self.stdout.write(f"Wrote {output} ({len(data)} bytes).")
