"""Rebuild the search index of every agency (after restoring a backup or changing the analysis)."""
import sys
import time

from django.core.management.base import BaseCommand

from search.index import index_size, rebuild


class Command(BaseCommand):
    help = "Rebuild the search document of every agency, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument("--no-progress", action="store_true", help="Print only the summary line.")

    def handle(self, *args, no_progress: bool = False, **options):
        started = time.perf_counter()
        show = not no_progress and options.get("verbosity", 1) > 0

        def progress(done: int, total: int) -> None:
            if show:
                width = 40
                filled = width * done // max(total, 1)
                sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} agencies")
                sys.stderr.flush()

        written = rebuild(progress=progress)
        if show:
            sys.stderr.write("\n")
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Indexed {written:,} agencies in {elapsed:.1f} s ({index_size() / 2**20:.1f} MiB).")
