"""Import throughput and peak memory: 10,000 agencies, then 50,000 duties, then the duties again (unchanged),
each beside django-import-export's default path on the same file in the same run.

The rows are written as CSV files in a temporary directory and go through the same service as the
admin and `manage.py import_data` (bulk writes, history, validation). Every generated agency is
synthetic: slugs start with `synthetic-import-`, names say "Synthetic", and they are marked
`is_synthetic` and deleted again afterwards, so the benchmark database keeps only its own dataset.

The default path is a plain `resources.ModelResource` with default Meta (row by row, each row saved
with `save()` in its own transaction, no `full_clean`), given only what it needs to read the same columns
(the slug as id, region and agency by natural key, categories by slug). It runs over the first
`DEFAULT_ROWS` rows of the same file (duties: top-level rows only, as it cannot name a parent by
position), inside a transaction that is rolled back, and its rows/s are computed on those rows."""
import csv
import itertools
import tempfile
import time
import tracemalloc
from pathlib import Path

import tablib
from django.db import transaction
from import_export import fields, resources, widgets

from agencies.models import Agency, ImportBatch, Region, RegionTally
from agencies.services import dataset_read, import_dataset
from agencies.signals import agencies_bulk_changed, bulk_write
from benchmarks.report import table
from duties.models import Duty, DutyCategory

AGENCIES = 10_000
DUTIES = 50_000
DEFAULT_ROWS = 2_000  # rows the default path imports (rolled back): it runs at a few hundred rows/s
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


def _traced_peak_mib(function) -> int:
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20)


def _rolled_back(function) -> None:
    with transaction.atomic():
        function()
        transaction.set_rollback(True)


def measure(label: str, resource_name: str, path: Path, *, new: bool) -> None:
    """Throughput is measured untraced (tracemalloc slows Python several times over). Peak memory is
    the same import traced: for new rows first, inside a transaction rolled back (so the timed import
    still creates them); for unchanged rows again after the timed one."""
    peak_mib = _traced_peak_mib(lambda: _rolled_back(lambda: _import(resource_name, path))) if new else None
    started = time.perf_counter()
    rows, report = _import(resource_name, path)
    elapsed = time.perf_counter() - started
    if not new:
        peak_mib = _traced_peak_mib(lambda: _import(resource_name, path))
    ROWS.append([label, rows, f"{elapsed:.1f} s", round(rows / elapsed), peak_mib, report.summary(),
                 "≥ 5,000 rows/s"])


# --- django-import-export's default path, for reference ----------------------------------------------
class DefaultAgencyResource(resources.ModelResource):
    region = fields.Field(attribute="region", column_name="region", widget=widgets.ForeignKeyWidget(Region, "code"))

    class Meta:
        model = Agency
        import_id_fields = ["slug"]


class DefaultDutyResource(resources.ModelResource):
    agency = fields.Field(attribute="agency", column_name="agency", widget=widgets.ForeignKeyWidget(Agency, "slug"))
    categories = fields.Field(attribute="categories", column_name="categories",
                              widget=widgets.ManyToManyWidget(DutyCategory, field="slug"))

    class Meta:
        model = Duty
        fields = ["agency", "position", "label", "text", "categories"]
        import_id_fields = ["agency", "position"]


def _default_dataset(path: Path, *, top_level_only: bool = False) -> tablib.Dataset:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        headers = next(reader)
        rows = (row for row in reader if not (top_level_only and row[headers.index("parent")]))
        dataset = tablib.Dataset(*itertools.islice(rows, DEFAULT_ROWS), headers=headers)
    if top_level_only:
        del dataset["parent"]
    return dataset


def measure_default(label: str, resource: resources.ModelResource, dataset: tablib.Dataset) -> None:
    started = time.perf_counter()
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=True)
        transaction.set_rollback(True)
    elapsed = time.perf_counter() - started
    totals = result.totals
    summary = f"{totals['new']} new, {totals['update']} updated, {totals['skip']} skipped (rolled back)"
    ROWS.append([label, len(dataset), f"{elapsed:.1f} s", round(len(dataset) / elapsed), None, summary, "reference"])


def cleanup() -> None:
    with transaction.atomic(), bulk_write():  # one index update at the end, not one per deleted row
        agencies = Agency.objects.filter(slug__startswith=PREFIX)
        ids = list(agencies.values_list("pk", flat=True))
        # By id, in chunks: statistics taken before the import think these agencies have no sub-items,
        # and PostgreSQL's nested loop over a join on the slug prefix took minutes.
        for start in range(0, len(ids), 5000):
            chunk = ids[start:start + 5000]
            Duty.objects.filter(agency_id__in=chunk, parent__isnull=False).delete()
            Duty.objects.filter(agency_id__in=chunk).delete()
        agencies.delete()
        agencies_bulk_changed.send(sender=Agency, agency_ids=ids)
        # By id: the agencies are gone, so a join on their slug would find no duty history to delete.
        for start in range(0, len(ids), 5000):
            Duty.history.filter(agency_id__in=ids[start:start + 5000]).delete()
        Agency.history.filter(slug__startswith=PREFIX).delete()
        ImportBatch.objects.filter(file_name__in=["agencies.csv", "duties.csv"], user=None).delete()


def vacuum_written_tables() -> None:
    """Leave PostgreSQL as the part found it: the rows it wrote and deleted are dead tuples, and the
    search index's GIN pending list holds their entries, until a VACUUM. Autovacuum does that on a
    production server; where it is off (as on the benchmark machine's), later parts would pay for them
    (a rare word's lookup scans the pending list: 0.9 ms instead of 0.1)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    # The per-city tally: every agency written and deleted updated one of its 1,700 rows (30,000 dead
    # tuples after one run).
    tables = [Agency._meta.db_table, Agency.history.model._meta.db_table, Duty._meta.db_table,
              Duty.history.model._meta.db_table, Duty.categories.through._meta.db_table, "search_document",
              RegionTally._meta.db_table, "search_indexversion", "freshness_contentversion"]
    with connection.cursor() as cursor:
        for name in tables:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(name)}")


def run(size: int) -> None:
    ROWS.clear()
    cleanup()
    with tempfile.TemporaryDirectory() as directory:
        agencies, duties = write_files(Path(directory))
        measure_default(f"default path: agencies (new), first {DEFAULT_ROWS:,}", DefaultAgencyResource(),
                        _default_dataset(agencies))
        measure("import agencies (new)", "agencies", agencies, new=True)
        Agency.objects.filter(slug__startswith=PREFIX).update(is_synthetic=True)
        measure_default(f"default path: duties (new), first {DEFAULT_ROWS:,} top-level", DefaultDutyResource(),
                        _default_dataset(duties, top_level_only=True))
        measure("import duties (new)", "duties", duties, new=True)
        measure("import duties (unchanged)", "duties", duties, new=False)
    cleanup()
    vacuum_written_tables()
    table("import", "Imports through the admin's service (bulk writes, history, validation) beside "
          "django-import-export's default path (plain ModelResource, row by row, same file, rolled back)",
          ["import", "rows", "time", "rows/s", "peak MiB (traced)", "result", "target (issue 11)"], ROWS)
