"""manage.py ingest_pages DIR : read every saved page in a folder, with a progress bar and a summary."""
from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from ingest.management.commands._common import user_named
from ingest.reading import PageError
from ingest.services import page_ingest

SUFFIXES = {".html", ".htm", ".txt", ".shtml"}


class Command(BaseCommand):
    help = "Read every page (*.html, *.htm, *.txt) in a folder into drafts or proposed changes."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--encoding", help="encoding of pages that declare none (gb18030)")
        parser.add_argument("--user", help="username to record (and whose agency scope applies)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")

    def handle(self, *args, **options):
        directory = Path(options["directory"])
        if not directory.is_dir():
            raise CommandError(f"{directory}: no such folder.")
        files = sorted(path for path in directory.iterdir() if path.suffix.lower() in SUFFIXES)
        user = user_named(options["user"])
        rows, failed, started = [], 0, time.perf_counter()
        for path in tqdm(files, unit="page", disable=options["no_progress"], file=sys.stderr):
            try:
                page = page_ingest(data=path.read_bytes(), file_name=path.name, encoding=options["encoding"], by=user)
            except (PageError, PermissionDenied) as error:
                failed += 1
                rows.append((path.name, "", "refused", "", "", str(error)[:80]))
                continue
            changes = list(page.changes.all())
            bureau = page.agency.name if page.agency else "(new) " + str(page).split(": ", 1)[-1]
            rows.append((path.name, bureau[:50], page.get_status_display().lower(), str(len(changes)),
                         str(sum(1 for change in changes if change.flag)),
                         str(len(page.extraction.get("unparsed", [])))))
        self.stdout.write(table(("file", "bureau", "status", "changes", "flagged", "not read"), rows))
        elapsed = time.perf_counter() - started
        self.stdout.write(f"{len(files) - failed} of {len(files)} pages read in {elapsed:.1f} s; {failed} refused.")


def table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths, strict=False))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=False)) for row in rows]
    return "\n".join(lines)
