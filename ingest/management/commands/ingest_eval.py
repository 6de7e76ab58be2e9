"""manage.py ingest_eval : field-level precision and recall of ingest on pages whose answer is known."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingest.evaluation import SEED_EXCLUDED, Evaluation, evaluate_corpus, evaluate_seeds, seeds_dir
from ingest.management.commands.ingest_pages import table


class Command(BaseCommand):
    help = "Print precision and recall per kind of fact: the seed pages against fixtures/, and a test corpus."

    def add_arguments(self, parser):
        parser.add_argument("--seeds", help="folder of the seed pages (default ../shared/seeds or $SEEDS_DIR)")
        parser.add_argument("--corpus", help="folder of test pages with an expected.json")
        parser.add_argument("--strict", action="store_true", help="exit non-zero unless every kind scores 1.0")

    def handle(self, *args, **options):
        seeds = Path(options["seeds"]) if options["seeds"] else seeds_dir()
        results = []
        if seeds.is_dir():
            results.append(("seed pages vs fixtures", evaluate_seeds(seeds)))
            excluded = "; ".join(f"{kind} ({why})" for kind, why in SEED_EXCLUDED.items())
            self.stdout.write(f"Not counted on the seed pages: {excluded}.")
        else:
            self.stderr.write(f"No seed pages at {seeds}.")
        if options["corpus"]:
            results.append((f"corpus {options['corpus']}", evaluate_corpus(Path(options["corpus"]))))
        for title, evaluation in results:
            self.report(title, evaluation)
        if options["strict"] and not all(evaluation.perfect for _, evaluation in results):
            raise CommandError("Precision or recall below 1.0.")

    def report(self, title: str, evaluation: Evaluation) -> None:
        rows = []
        for kind, (right, expected, found) in evaluation.totals().items():
            precision = right / found if found else 1.0
            recall = right / expected if expected else 1.0
            rows.append((kind, str(expected), str(found), str(right), f"{precision:.3f}", f"{recall:.3f}"))
        self.stdout.write(f"\n{title}: {len(evaluation.pages)} pages")
        self.stdout.write(table(("kind", "expected", "found", "right", "precision", "recall"), rows))
        for page in evaluation.pages:
            for line in page.missing:
                self.stdout.write(f"  {page.name}: missing {line[:150]}")
            for line in page.wrong:
                self.stdout.write(f"  {page.name}: wrong {line[:150]}")
            for flag in page.flags:
                self.stdout.write(f"  {page.name}: {flag}")
