"""Import one CSV, XLSX or JSON file, all or nothing: `manage.py import_data contacts contacts.csv`."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.services import EncodingError, dataset_read, import_dataset, resource_classes


class Command(BaseCommand):
    help = "Import a file of regions, agencies, contacts, office hours, special days, holidays, duties, ..."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(resource_classes()))
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], help="Default: from the file extension.")
        parser.add_argument("--encoding", help="For CSV that is not UTF-8, e.g. gb18030 (never guessed).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--user", help="Import as this staff user: their permissions and agencies apply.")

    def handle(self, *args, resource, path, format=None, encoding=None, dry_run=False, user=None, **options):
        file_format = format or path.suffix.lstrip(".").lower()
        if file_format not in {"csv", "xlsx", "json"}:
            raise CommandError(f"Cannot tell the format of {path.name}; pass --format.")
        staff = get_user_model().objects.get(username=user) if user else None
        try:
            dataset = dataset_read(data=path.read_bytes(), file_format=file_format, encoding=encoding)
        except EncodingError as error:
            raise CommandError(f"{error}\nRead as GB18030 it begins:\n{error.preview()}") from None
        report = import_dataset(
            resource_name=resource, dataset=dataset, user=staff, dry_run=dry_run, file_name=path.name,
            encoding=encoding or "utf-8",
        )
        for message in report.errors:
            self.stderr.write(message)
        if not report.ok:
            raise CommandError(f"Nothing imported from {path.name}: {report.summary()}.")
        done = "Checked (dry run)" if dry_run else f"Imported as import #{report.batch.pk}"
        self.stdout.write(f"{done} {path.name}: {report.summary()}.")
