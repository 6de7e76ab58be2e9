"""Import one CSV, XLSX or JSON file, all or nothing: `manage.py import_data contacts contacts.csv`.

A file that cannot be imported is refused with one clear line on stderr and exit code 2 (never a
traceback); nothing is written."""
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from agencies.importfiles import TEXT_FORMATS
from agencies.services import (
    EncodingError,
    FileRefused,
    dataset_read,
    decode_text,
    encoding_name,
    import_dataset,
    resource_classes,
)


def refuse(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Import a file of regions, agencies, contacts, office hours, special days, holidays, duties, ..."

    def add_arguments(self, parser):
        parser.add_argument("resource", choices=sorted(resource_classes()))
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["csv", "xlsx", "json"], help="Default: from the file extension.")
        parser.add_argument("--encoding", help="For CSV that is not UTF-8: gb18030 or big5 (never guessed).")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--user", help="Import as this staff user: their permissions and agencies apply.")
        parser.add_argument("--yes", action="store_true",
                            help="With --encoding: the preview was checked and reads right (as the admin asks).")

    def handle(self, *args, resource, path, format=None, encoding=None, dry_run=False, user=None, yes=False,
               **options):
        file_format = format or path.suffix.lstrip(".").lower()
        if file_format not in {"csv", "xlsx", "json"}:
            raise refuse(f"Cannot tell the format of {path.name}; pass --format csv, xlsx or json.")
        staff = None
        if user:
            staff = get_user_model().objects.filter(username=user).first()
            if staff is None:
                raise refuse(f"No user '{user}': create the account first (make superuser, or the admin's Users).")
            if not staff.is_active:
                raise refuse(f"User '{user}' is inactive.")
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise refuse(f"No such file: {path}.") from None
        except OSError as error:
            raise refuse(f"Cannot read {path}: {error.strerror or error}.") from None
        try:
            dataset = dataset_read(data=data, file_format=file_format, encoding=encoding)
        except EncodingError as error:
            raise refuse(f"{path.name}: {error} Pass --encoding gb18030 (or big5). "
                         f"Read as GB18030 it begins: {error.preview(lines=1)!r}") from None
        except FileRefused as error:
            raise refuse(f"{path.name}: {error}") from None
        if encoding and file_format in TEXT_FORMATS and encoding_name(encoding) != "utf-8" and not (yes or dry_run):
            # A wrong encoding can decode "successfully" into other characters: staff look first, as in the admin.
            preview = "\n".join(decode_text(data, encoding).splitlines()[:4])
            self.stderr.write(f"Read as {encoding}, {path.name} begins:\n{preview}")
            raise refuse(f"{path.name}: check the preview above; if it reads right, run again with --yes.")
        report = import_dataset(
            resource_name=resource, dataset=dataset, user=staff, dry_run=dry_run, file_name=path.name,
            encoding=encoding_name(encoding) if file_format in TEXT_FORMATS else "",
        )
        for message in report.errors:
            self.stderr.write(message)
        if not report.ok:
            raise refuse(f"Nothing imported from {path.name}: {report.summary()}.")
        done = "Checked (dry run)" if dry_run else f"Imported as import #{report.batch.pk}"
        self.stdout.write(f"{done} {path.name}: {report.summary()}.")
