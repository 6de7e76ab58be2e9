"""manage.py ingest_page FILE|- : read one published page into a draft or a proposed change."""
from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from ingest.management.commands._common import agency_slugged, outcome, user_named
from ingest.reading import PageError
from ingest.services import page_ingest


class Command(BaseCommand):
    help = "Read a bureau's published page (HTML or text; '-' for standard input) into a proposal for review."

    def add_arguments(self, parser):
        parser.add_argument("file", help="a saved page, or - to read standard input")
        parser.add_argument("--encoding", help="the page's encoding if it is not UTF-8 and declares none (gb18030)")
        parser.add_argument("--agency", help="slug of the bureau the page is about (default: matched by name)")
        parser.add_argument("--user", help="username to record (and whose agency scope applies)")

    def handle(self, *args, **options):
        if options["file"] == "-":
            data, name = sys.stdin.buffer.read(), "stdin"
        else:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"{path}: no such file.")
            data, name = path.read_bytes(), path.name
        try:
            page = page_ingest(data=data, file_name=name, encoding=options["encoding"], by=user_named(options["user"]),
                               agency=agency_slugged(options["agency"]))
        except (PageError, PermissionDenied) as error:
            raise CommandError(f"{name}: {error}") from None
        for change in page.changes.all():
            flag = f"  [{change.flag}]" if change.flag else ""
            self.stdout.write(f"  {change.action:<6} {change.key[:100]}{flag}")
        self.stdout.write(outcome(page))
