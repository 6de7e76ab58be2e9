"""Multi-step staff writes: verifying, optimistic-locked saves, imports (and undoing them), restores."""
from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import tablib
from django.apps import apps
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, router, transaction
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.module_loading import import_string
from import_export.results import Result

from agencies.importfiles import (  # noqa: F401 (re-exported: the admin and commands read files here)
    ENCODING_CHOICES,
    FORMATS,
    NO_ROWS,
    EncodingError,
    FileRefused,
    dataset_read,
    dataset_write,
    decode_text,
    encoding_name,
)
from agencies.models import Agency, ImportBatch, Region
from agencies.signals import agencies_bulk_changed


def resource_classes() -> dict[str, type]:
    """Every importable table, by the name the command and the files use (`settings.STAFF_IMPORT_RESOURCES`)."""
    return {name: import_string(path) for name, path in settings.STAFF_IMPORT_RESOURCES.items()}


@dataclass
class ImportReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)
    batch: ImportBatch | None = None
    result: Result | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        counts = (
            f"{self.new} new, {self.updated} updated, {self.unchanged} unchanged, {self.skipped} skipped, "
            f"{len(self.errors)} errors"
        )
        return counts


def describe_errors(result: Result) -> list[str]:
    """'row 7, value: '0571-123' is not a valid number.' — rows counted from 1, after the header."""
    columns = getattr(result, "column_names", {})
    messages = [f"file: {error.error}" for error in result.base_errors]
    for invalid in result.invalid_rows:
        for attribute, errors in invalid.error_dict.items():
            for message in errors:
                if attribute == NON_FIELD_ERRORS:
                    messages.append(f"row {invalid.number}: {message}")
                else:
                    messages.append(f"row {invalid.number}, {columns.get(attribute, attribute)}: {message}")
    for number, errors in result.row_errors():
        for error in errors:
            messages.append(f"row {number}: {error.error}")
    return messages


def report_from_result(result: Result) -> ImportReport:
    report = ImportReport(result=result, errors=describe_errors(result))
    unchanged = len(getattr(result, "unchanged_rows", ()))
    report.new = result.totals["new"]
    report.updated = result.totals["update"]
    report.unchanged = unchanged
    report.skipped = result.totals["skip"] - unchanged
    return report


@transaction.atomic
def import_dataset(
    *, resource_name: str, dataset: tablib.Dataset, user=None, dry_run: bool = False, file_name: str = "",
    encoding: str = "",
) -> ImportReport:
    """Import one file all or nothing: any invalid row and nothing is written (nor the batch)."""
    if not dataset.headers and not len(dataset):
        return ImportReport()  # an empty JSON list: nothing to do
    if not len(dataset):
        return ImportReport(errors=[NO_ROWS])  # the same words as the admin; no empty batch
    batch = ImportBatch.objects.create(resource=resource_name, file_name=file_name[:255], encoding=encoding, user=user)
    resource = resource_classes()[resource_name](user=user, batch=batch)
    with collector_paused():
        result = resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, use_transactions=True, rollback_on_validation_errors=True,
        )
        report = report_from_result(result)
        if dry_run or not report.ok:
            transaction.set_rollback(True)
            return report
        if resource.agency_path == "agency":
            agencies_touch(agency_ids=resource.touched_agency_ids)
        _announce_bulk_change(resource)
    batch.new, batch.updated, batch.unchanged, batch.skipped = (
        report.new, report.updated, report.unchanged, report.skipped
    )
    batch.save(update_fields=["new", "updated", "unchanged", "skipped"])
    report.batch = batch
    model = resource._meta.model
    stale = statistics_stale(models=[model, model.history.model], written=report.new + report.updated)
    if stale:
        transaction.on_commit(lambda: tables_analyze(models=stale, planned_only=True))
    return report


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while an import runs. The import keeps every row it
    reads until it ends (instances, row results, key maps), and each collection of the oldest
    generation walks all of them again: 10–13 % of a 10,000-row import. None of them is garbage before
    the import ends (they hang together through the resource); the first collection after it frees them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


#: autovacuum's rule (its defaults): statistics are stale once the rows changed since they were taken
#: exceed this many plus this fraction of the rows they describe
ANALYZE_THRESHOLD = 50
ANALYZE_SCALE_FACTOR = 0.1


def statistics_stale(*, models: list[type], written: int, using: str = "default") -> list[type]:
    """Of these tables, those whose planner statistics an import that wrote `written` rows leaves stale,
    by the rule PostgreSQL's autovacuum applies (changes > 50 + 10 % of the rows the statistics counted),
    asked before the commit. PostgreSQL: the changes committed since the last ANALYZE
    (`n_mod_since_analyze`) plus this import's rows, the settings in force (`autovacuum_analyze_*`).
    SQLite, which keeps statistics only when told: how far the row count has moved from the one its
    statistics recorded (`sqlite_stat1`), or this import's rows if more. A small import into a large
    table does not move a plan; autovacuum (or the next large import) counts it with later ones; a
    bulk load analyzes at once instead of leaving the planner a minute behind."""
    if written <= 0:
        return []
    connection = connections[using]
    stale = []
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT c.reltuples, COALESCE(s.n_mod_since_analyze, 0), "
                    "current_setting('autovacuum_analyze_threshold')::float, "
                    "current_setting('autovacuum_analyze_scale_factor')::float "
                    "FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = %s::regclass",
                    [connection.ops.quote_name(table)],
                )
                counted, changed, threshold, scale = cursor.fetchone()
                changed += written
            elif connection.vendor == "sqlite":
                cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
                row = None
                if cursor.fetchone():
                    cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s AND idx IS NOT NULL LIMIT 1", [table])
                    row = cursor.fetchone()
                counted = float(row[0].split()[0]) if row else -1
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                rows = cursor.fetchone()[0]
                changed = max(abs(rows - counted), written) if counted >= 0 else written
                threshold, scale = ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR
            else:
                counted, changed, threshold, scale = -1, written, ANALYZE_THRESHOLD, ANALYZE_SCALE_FACTOR
            if counted < 0 or changed > threshold + scale * counted:  # never analyzed, or moved enough
                stale.append(model)
    return stale


def tables_analyze(*, models: list[type] | None = None, using: str = "default", planned_only: bool = False) -> None:
    """Fresh planner statistics after a bulk load (PostgreSQL's autovacuum lags behind one; SQLite
    keeps none until told). Plans at national scale depend on them: list ordering, counts, joins.

    `planned_only` (PostgreSQL): only the columns plans are chosen by, those of the table's indexes and
    foreign keys (agencies at 100,000: 0.13 s instead of 0.49 s; their history 0.01 s instead of 0.11 s:
    the cost is in the wide text columns no query filters on). Such an ANALYZE leaves the table's count of
    changes as it was, so autovacuum, where it runs, still takes the full statistics on its schedule."""
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
            return
        if planned_only and connection.vendor == "postgresql":
            for model in sorted(set(models), key=lambda model: model._meta.db_table):
                table = quote(model._meta.db_table)
                cursor.execute(
                    "SELECT DISTINCT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid "
                    "AND a.attnum = ANY(i.indkey) WHERE i.indrelid = %s::regclass", [table])
                columns = {name for (name,) in cursor.fetchall()}
                columns |= {field.column for field in model._meta.concrete_fields if field.is_relation}
                cursor.execute(f"ANALYZE {table} ({', '.join(quote(name) for name in sorted(columns))})")
            return
        limit = None
        if connection.vendor == "sqlite":
            # Statistics from a sample of each index (as PRAGMA optimize takes them), not a full scan
            # of tables that hold millions of history rows at national scale.
            cursor.execute("PRAGMA analysis_limit")
            limit = cursor.fetchone()[0]
            cursor.execute("PRAGMA analysis_limit = 1000")
        try:
            for table in sorted({model._meta.db_table for model in models}):
                cursor.execute(f"ANALYZE {quote(table)}")
        finally:
            if limit is not None:
                cursor.execute(f"PRAGMA analysis_limit = {int(limit)}")


def _announce_bulk_change(resource) -> None:
    """Imports write in bulk, which sends no model signals: say which agencies changed (the search
    index listens). Rows left unchanged were not written: nothing of theirs to reindex."""
    if resource.agency_path == "agency":
        agencies_bulk_changed.send(sender=Agency, agency_ids=set(resource.touched_agency_ids))
    elif resource._meta.model is Agency:
        agencies_bulk_changed.send(sender=Agency, agency_ids=set(resource.written_ids),
                                   created_ids=set(resource.created_ids))
    elif resource._meta.model is Region:
        agencies_bulk_changed.send(sender=Agency, region_ids=set(resource.written_ids))


def export_dataset(*, resource_name: str, user=None, file_format: str = "csv") -> bytes:
    """Everything the user may see, as a file; CSV and XLSX cells are escaped against formulas."""
    resource = resource_classes()[resource_name](user=user, escape_formulae=file_format in {"csv", "xlsx"})
    return dataset_write(dataset=resource.export(), file_format=file_format)


@transaction.atomic
def agency_mark_verified(*, agency: Agency, by, on: dt.date | None = None) -> Agency:
    """Record that staff checked the agency against its source today (with history and version)."""
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    agency.last_verified = on or timezone.now().date()
    agency.version += 1
    agency._history_user = by
    agency._change_reason = "verified"
    agency.save()
    return agency


def history_models() -> list[type]:
    """Models with history, children before parents (the order in which to undo creations)."""
    return [apps.get_model(label) for label in settings.STAFF_HISTORY_MODELS]


def agency_record_models() -> list[type]:
    """The models whose rows belong to one agency, parents before children (the order to restore)."""
    return [apps.get_model(label) for label in settings.STAFF_AGENCY_RECORD_MODELS]


def import_batch_conflicts(*, batch: ImportBatch) -> list[str]:
    """Records the import wrote that someone changed later: undoing would silently lose that change."""
    conflicts = []
    for model in history_models():
        ids = model.history.filter(history_change_reason=batch.change_reason).values("id")
        later = (
            model.history.filter(id__in=ids, history_date__gt=batch.created_at)
            .exclude(history_change_reason=batch.change_reason)
            .select_related("history_user")
        )
        for record in later:
            conflicts.append(f"{model._meta.verbose_name} '{record.instance}' by {record.history_user or 'a script'}")
    return conflicts


def import_batch_dependents(*, batch: ImportBatch) -> list[str]:
    """Records NOT written by the import that undoing it would delete too (a contact added by hand to
    an imported agency goes with the agency) or that stop it (a later agency in an imported region)."""
    created: dict[type, set[int]] = {}
    for model in history_models():
        ids = model.history.filter(history_change_reason=batch.change_reason, history_type="+").values_list(
            "id", flat=True
        )
        created[model] = set(ids)
    doomed = [obj for model, ids in created.items() if ids for obj in model._default_manager.filter(pk__in=ids)]
    if not doomed:
        return []
    collector = Collector(using=router.db_for_write(ImportBatch))
    try:
        collector.collect(doomed)
    except (ProtectedError, RestrictedError) as error:
        blocking = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", [])
        return [f"{obj._meta.verbose_name} '{obj}' still uses what it created" for obj in list(blocking)[:50]]
    others = []
    for model, instances in collector.data.items():
        for obj in instances:
            if obj.pk not in created.get(model, set()):
                others.append(obj)
    for queryset in collector.fast_deletes:
        for obj in queryset:
            if obj.pk not in created.get(type(obj), set()):
                others.append(obj)
    # Join-table rows (a duty's categories) and history rows go with their record: not hand edits.
    return [f"{obj._meta.verbose_name} '{obj}' would be deleted with it" for obj in others
            if not obj._meta.auto_created and not obj._meta.model_name.startswith("historical")]


@transaction.atomic
def import_batch_undo(*, batch: ImportBatch, by) -> int:
    """Undo one import: delete what it created, put back what it changed. Returns records touched."""
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.undone_at is not None:
        raise ValidationError("This import has already been undone.")
    reason = f"undo {batch.change_reason}"
    conflicts = import_batch_conflicts(batch=batch)
    if conflicts:
        raise ValidationError(
            "Records of this import were changed afterwards; undo those changes first or edit by hand: "
            + "; ".join(conflicts[:10])
        )
    dependents = import_batch_dependents(batch=batch)
    if dependents:
        shown = "; ".join(dependents[:20]) + (f"; and {len(dependents) - 20} more" if len(dependents) > 20 else "")
        raise ValidationError(
            f"Not undone: records added after this import depend on what it created ({len(dependents)}): "
            f"{shown}. Delete or move those first, then undo."
        )
    touched = 0
    for model in history_models():
        records = model.history.filter(history_change_reason=batch.change_reason).order_by(
            "-history_date", "-history_id"
        )
        for record in records:
            current = model._default_manager.filter(pk=record.id).first()
            if record.history_type == "+":
                if current is not None:
                    current._history_user = by
                    current._change_reason = reason
                    current.delete()
                    touched += 1
            elif record.history_type == "~":
                previous = record.prev_record
                if previous is None:
                    continue
                restored = previous.instance
                if isinstance(restored, Agency) and current is not None:
                    restored.version = current.version + 1  # a revert is a new version, not an old one
                restored._history_user = by
                restored._change_reason = reason
                restored.save()
                touched += 1
    batch.undone_at = timezone.now()
    batch.undone_by = by
    batch.save(update_fields=["undone_at", "undone_by"])
    return touched


@transaction.atomic
def agency_restore(*, agency_id: int, by) -> Agency:
    """Bring back a deleted agency with the records that were deleted along with it."""
    if Agency.objects.filter(pk=agency_id).exists():
        raise ValidationError("This agency has not been deleted.")
    deletion = Agency.history.filter(id=agency_id, history_type="-").order_by("-history_date").first()
    if deletion is None:
        raise ValidationError("No deletion of this agency is recorded.")
    last = Agency.history.filter(id=agency_id).exclude(history_type="-").order_by("-history_date").first()
    source = last or deletion
    agency = source.instance
    agency.version = max(deletion.version, source.version) + 1
    agency._history_user = by
    agency._change_reason = "restored"
    agency.save(force_insert=True)
    # Children went in the same cascade, just before the agency itself (a minute covers a large one).
    since = deletion.history_date - dt.timedelta(minutes=1)
    for model in agency_record_models():
        deleted = model.history.filter(agency_id=agency_id, history_type="-", history_date__gte=since)
        rows = sorted(deleted, key=lambda record: getattr(record, "parent_id", None) is not None)
        for record in rows:
            if model._default_manager.filter(pk=record.id).exists():
                continue
            child = record.instance
            child._history_user = by
            child._change_reason = "restored with agency"
            child.save(force_insert=True)
    return agency


def agency_changes_since(*, agency: Agency, version: int) -> list[str]:
    """What happened to an agency after `version`: one line per save, naming who and when."""
    lines = []
    records = agency.history.filter(version__gt=version).order_by("history_date").select_related("history_user")
    for record in records:
        who = record.history_user or "an import or script"
        when = timezone.localtime(record.history_date).strftime("%Y-%m-%d %H:%M")
        previous = record.prev_record
        changed = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=["version", "updated_at"])
            changed = [f"{change.field}: '{change.old}' → '{change.new}'" for change in delta.changes]
        detail = "; ".join(changed) or "its contacts, hours, duties or other records"
        lines.append(f"{who} at {when} changed {detail}")
    if not lines:
        lines.append("its contacts, hours, duties or other records were changed on their own pages or by an import")
    return lines


def agencies_touch(*, agency_ids) -> None:
    """Move the version of agencies whose records changed elsewhere, so an open agency page notices.
    Only the counter changes, so this is the one place an update without history is right."""
    from agencies.resources import ids_in

    ids = sorted(set(agency_ids) - {None})
    connection = connections[router.db_for_write(Agency)]
    quote = connection.ops.quote_name
    version = quote(Agency._meta.get_field("version").column)
    # SQLite takes at most 999 parameters; on PostgreSQL the ids travel as one array.
    per_statement = max(len(ids), 1) if connection.vendor == "postgresql" else 900
    with connection.cursor() as cursor:
        for start in range(0, len(ids), per_statement):
            condition, params = ids_in(connection, quote(Agency._meta.pk.column), ids[start:start + per_statement])
            cursor.execute(f"UPDATE {quote(Agency._meta.db_table)} SET {version} = {version} + 1 WHERE {condition}",
                           params)


@transaction.atomic
def agencies_set_status(*, agencies, status: str, by) -> int:
    """Publish or unpublish agencies one save at a time, so each change has history and a new version."""
    count = 0
    for agency in Agency.objects.select_for_update().filter(pk__in=[a.pk for a in agencies]):
        if agency.status == status:
            continue
        agency.status = status
        agency.version += 1
        agency._history_user = by
        agency.save()
        count += 1
    return count
