"""Import throughput and peak memory: 10,000 agencies, then 50,000 duties, then the duties again (unchanged).

The rows are written as CSV files in a temporary directory and go through the same service as the
admin and `manage.py import_data` (bulk writes, history, validation). Every generated agency is
synthetic: slugs start with `synthetic-import-`, names say "Synthetic", and they are marked
`is_synthetic` and deleted again afterwards, so the benchmark database keeps only its own dataset."""
import csv
import tempfile
import time
import tracemalloc
from pathlib import Path

from django.db import transaction

from agencies.models import Agency, ImportBatch, Region
from agencies.services import dataset_read, import_dataset
from agencies.signals import agencies_bulk_changed, bulk_write
from benchmarks.report import table
from duties.models import Duty, DutyCategory

AGENCIES = 10_000
DUTIES = 50_000
PREFIX = "synthetic-import-"
ROWS: list[list[object]] = []


def _regions() -> list[str]:
    codes = list(Region.objects.filter(is_synthetic=True).values_list("code", flat=True)[:500])
    if not codes:
        region, _ = Region.objects.get_or_create(
            code="990000", defaults={"name": "Synthetic province", "name_zh": "合成省", "level": "province"}
        )
        Region.objects.filter(pk=region.pk).update(is_synthetic=True)
        codes = [region.code]
    return codes


def _category() -> str:
    category, _ = DutyCategory.objects.get_or_create(slug="synthetic-import", defaults={"name": "Synthetic"})
    return category.slug


def write_files(directory: Path) -> tuple[Path, Path]:
    regions, category = _regions(), _category()
    agencies = directory / "agencies.csv"
    with agencies.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["slug", "name", "name_zh", "level", "region", "status", "timezone", "address"])
        for n in range(AGENCIES):
            writer.writerow([f"{PREFIX}{n:05d}", f"Synthetic Import Bureau {n}", f"合成导入科学技术局{n}",
                             "county_bureau", regions[n % len(regions)], "draft", "Asia/Shanghai",
                             f"No. {n} Synthetic Road"])
    duties = directory / "duties.csv"
    per_agency = DUTIES // AGENCIES  # 3 items, the first with 2 sub-items
    with duties.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["agency", "parent", "position", "label", "text", "categories"])
        for n in range(AGENCIES):
            slug = f"{PREFIX}{n:05d}"
            writer.writerow([slug, "", 1, "(1)", "Formulate synthetic plans and policies.", category])
            writer.writerow([slug, 1, 1, "1.", "Draft the synthetic plan.", category])
            writer.writerow([slug, 1, 2, "2.", "Publish the synthetic plan.", category])
            for position in range(2, per_agency - 1):
                writer.writerow([slug, "", position, f"({position})", f"Synthetic duty number {position}.", category])
    return agencies, duties


def _import(resource_name: str, path: Path):
    dataset = dataset_read(data=path.read_bytes(), file_format="csv")
    report = import_dataset(resource_name=resource_name, dataset=dataset, file_name=path.name)
    if not report.ok:
        raise SystemExit(f"{resource_name}: import failed: {report.errors[:5]}")
    return len(dataset), report


def measure(label: str, resource_name: str, path: Path, *, memory: bool = False) -> None:
    """Throughput is measured untraced (tracemalloc slows Python several times over); with
    memory=True the same file is imported again under tracemalloc, which is the unchanged path."""
    started = time.perf_counter()
    rows, report = _import(resource_name, path)
    elapsed = time.perf_counter() - started
    peak_mib = None
    if memory:
        tracemalloc.start()
        _import(resource_name, path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_mib = round(peak / 2**20)
    ROWS.append([label, rows, f"{elapsed:.1f} s", round(rows / elapsed), peak_mib, report.summary(), "≥ 5,000 rows/s"])


def cleanup() -> None:
    with transaction.atomic(), bulk_write():  # one index update at the end, not one per deleted row
        agencies = Agency.objects.filter(slug__startswith=PREFIX)
        ids = list(agencies.values_list("pk", flat=True))
        Duty.objects.filter(agency__in=agencies, parent__isnull=False).delete()
        Duty.objects.filter(agency__in=agencies).delete()
        agencies.delete()
        agencies_bulk_changed.send(sender=Agency, agency_ids=ids)
        Duty.history.filter(agency__slug__startswith=PREFIX).delete()
        Agency.history.filter(slug__startswith=PREFIX).delete()
        ImportBatch.objects.filter(file_name__in=["agencies.csv", "duties.csv"], user=None).delete()


def run(size: int) -> None:
    ROWS.clear()
    cleanup()
    with tempfile.TemporaryDirectory() as directory:
        agencies, duties = write_files(Path(directory))
        measure("import agencies (new)", "agencies", agencies, memory=True)
        Agency.objects.filter(slug__startswith=PREFIX).update(is_synthetic=True)
        measure("import duties (new)", "duties", duties)
        measure("import duties (unchanged)", "duties", duties, memory=True)
    cleanup()
    table("import", "Imports through the admin's service (bulk writes, history, validation)",
          ["import", "rows", "time", "rows/s", "peak MiB (traced repeat)", "result", "target (issue 11)"], ROWS)
