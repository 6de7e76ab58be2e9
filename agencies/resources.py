"""Spreadsheet import and export (django-import-export 4) for agencies and what they publish.

Every file speaks natural keys only (agency slug, region code, category slug, a duty's position), so a
file exported from one installation imports into another. Imports go through the library's bulk
path, every row validated by the model's own clean(), with simple_history's historical rows ('+' new,
'~' updated) copied by the database from the rows as written (`history_record`). `StaffResource` holds
the machinery; the resources below only declare columns."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models, router
from django.db.models import Case, When
from django.db.models.expressions import DatabaseDefault, RawSQL
from django.utils import timezone
from import_export import fields, resources, widgets
from import_export.instance_loaders import BaseInstanceLoader
from simple_history.utils import bulk_create_with_history

from agencies.models import Agency, AgencyName, Contact, OfficeHours, PublicHoliday, Region, Source, SpecialDay
from agencies.permissions import AGENCY_EDITOR_LOCKED_FIELDS, agency_ids_for
from agencies.spreadsheets import escape_formula, unescape_formula

PREVIEW_ROWS = 20


def _canonical(value: Any) -> str:
    """One spelling per value for natural-key comparisons: '01' and 1 and 1.0 are all '1'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time(0) else value
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    return str(value).strip()


class PlainIntegerWidget(widgets.IntegerWidget):
    """IntegerWidget with a fast path for what files nearly always hold: an int, or plain digits.
    Anything else (separators, '1.0', locale formats) takes the library's path and its messages."""

    def clean(self, value, row=None, **kwargs):
        if type(value) is int:
            return value
        if type(value) is str and value.isascii() and value.isdigit() and len(value) < 19:
            return int(value)
        return super().clean(value, row=row, **kwargs)


class FieldChecks:
    """`Model.clean_fields` for the many rows of one import, each row's errors exactly as Django words them.

    Every row is checked, but not every check is Django's three calls per field (to_python, validate,
    run_validators): a value a field has already passed (level, status, time zone: the same on most
    rows) passes again without them, and a text within its field's length and pattern (the slugs and
    names that differ on every row) is checked inline. Anything else, and every value that fails,
    goes through `field.clean`, so the messages are Django's own."""

    #: values remembered per field; beyond it, new values are checked as they come
    REMEMBER = 1000

    def __init__(self, model: type[models.Model]):
        self.fields = [field for field in model._meta.fields if not field.generated]
        self.passed: dict[str, dict[Any, type] | None] = {field.name: {} if _pure(field) else None
                                                          for field in self.fields}
        self.text: dict[str, tuple | None] = {field.name: _text_check(field) for field in self.fields}

    def clean_fields(self, instance: models.Model, exclude: set[str]) -> dict[str, list[ValidationError]]:
        errors: dict[str, list[ValidationError]] = {}
        for field in self.fields:
            name = field.name
            if name in exclude:
                continue
            raw = getattr(instance, field.attname)
            if (field.blank and raw in field.empty_values) or isinstance(raw, DatabaseDefault):
                continue
            passed = self.passed[name]
            if passed is not None:
                try:
                    if passed.get(raw) is type(raw):
                        continue
                except TypeError:  # unhashable: the long way
                    passed = None
            text = self.text[name]
            if text is not None and type(raw) is str and raw and _text_passes(raw, *text):
                continue
            try:
                value = field.clean(raw, instance)
            except ValidationError as error:
                errors[name] = error.error_list
                continue
            setattr(instance, field.attname, value)
            if passed is not None and type(value) is type(raw) and value == raw and len(passed) < self.REMEMBER:
                passed[raw] = type(raw)
        return errors


def _plain_text_column(field: fields.Field) -> bool:
    """A column the library reads with a plain widget (CharWidget, Widget) into the instance's own attribute: a
    non-empty text cell is set as it is (the widget's and the field's three calls per cell return it
    unchanged); other cells take `Field.save`."""
    plain_widget = type(field.widget) is widgets.Widget or (
        type(field.widget) is widgets.CharWidget and field.widget.allow_blank is True)
    return type(field) is fields.Field and plain_widget and not field.readonly and "__" not in field.attribute


def _django_own(field: models.Field, *names: str) -> bool:
    return all(getattr(type(field), name).__module__.startswith("django.db.models.fields") for name in names)


def _pure(field: models.Field) -> bool:
    """Whether a value's validity for this field depends on the value alone: Django's own checks, no
    relation (a foreign key's check reads the database)."""
    return not field.is_relation and _django_own(field, "clean", "to_python", "validate", "run_validators")


def _text_check(field: models.Field) -> tuple | None:
    """(max length, patterns) when every check of this text field is one `_text_passes` makes."""
    from django.core import validators

    if not isinstance(field, (models.CharField, models.TextField)) or field.choices is not None or not _pure(field):
        return None
    if type(field).to_python not in (models.CharField.to_python, models.TextField.to_python):
        return None
    limit, patterns = None, []
    for validator in field.validators:
        if type(validator) is validators.MaxLengthValidator and isinstance(validator.limit_value, int):
            limit = validator.limit_value if limit is None else min(limit, validator.limit_value)
        elif type(validator) is validators.ProhibitNullCharactersValidator:
            pass  # checked for every text
        elif type(validator) is validators.RegexValidator or isinstance(validator, validators.RegexValidator) and \
                type(validator).__call__ is validators.RegexValidator.__call__:
            patterns.append((validator.regex, validator.inverse_match))
        else:
            return None
    return limit, tuple(patterns)


def _text_passes(value: str, limit: int | None, patterns: tuple) -> bool:
    if limit is not None and len(value) > limit:
        return False
    if "\x00" in value:
        return False
    return all(bool(regex.search(value)) is not inverse for regex, inverse in patterns)


class NaturalKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related row's natural key (slug, code), looked up once per import.

    Before an import the resource primes it with the keys the file names (a query per 5,000 keys),
    so memory follows the file, not the table; unprimed (exports), it loads the table on first use."""

    def __init__(self, model, field: str, label: str | None = None, **kwargs):
        super().__init__(model, field=field, **kwargs)
        self.label = label or model._meta.verbose_name
        self._by_key: dict[str, Any] | None = None
        self._key_by_id: dict[int, str] = {}
        self.resource: StaffResource | None = None

    def _load(self) -> None:
        self._by_key = {}
        for obj in self.model._default_manager.only("pk", self.field):
            self.remember(obj)

    def prime(self, keys: set[str], within: models.QuerySet | None = None) -> None:
        """Load the rows the file names; `within` narrows them to what the importing user may name
        (and an unknown key and a forbidden one then get the same message: nothing to probe)."""
        self._by_key, self._key_by_id = {}, {}
        self.scoped = within is not None
        queryset = within if within is not None else self.model._default_manager.all()
        wanted = sorted(key for key in keys if key)
        for start in range(0, len(wanted), 5000):
            for obj in key_in(queryset, self.field, wanted[start:start + 5000]).only("pk", self.field):
                self.remember(obj)

    def remember(self, obj) -> None:
        if self._by_key is None:
            self._load()
        key = _canonical(getattr(obj, self.field))
        self._by_key[key] = obj
        if obj.pk is not None:
            self._key_by_id[obj.pk] = key

    def clean(self, value, row=None, **kwargs):
        key = _canonical(value)
        if not key:
            return None
        if self._by_key is None:
            self._load()
        obj = self._by_key.get(key)
        if obj is None:
            if getattr(self, "scoped", False):
                raise ValueError(f"'{key}' is not the {self.field} of any {self.label} you may edit.")
            raise ValueError(f"'{key}' is not the {self.field} of any {self.label}.")
        return obj

    def key_for_id(self, pk: int | None) -> str:
        if pk is None:
            return ""
        if self._by_key is None:
            self._load()
        if pk not in self._key_by_id:
            self._key_by_id[pk] = _canonical(self.model._default_manager.values_list(self.field, flat=True).get(pk=pk))
        return self._key_by_id[pk]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return getattr(value, self.field)

    def instance_key_part(self, instance, attribute: str) -> str:
        return self.key_for_id(getattr(instance, f"{attribute}_id"))


class NaturalKeyInstanceLoader(BaseInstanceLoader):
    """Loads every instance the file could update in one query and finds them by natural key
    (CachedInstanceLoader does the same for a single id column; our keys may span several)."""

    def __init__(self, resource: StaffResource, dataset=None):
        super().__init__(resource, dataset)
        self.instances: dict[tuple, models.Model] = {}
        self.by_id: dict[int, models.Model] = {}
        queryset = resource.loader_queryset()
        headers = (dataset.headers or []) if dataset is not None else []
        agency_column = resource.fields.get("agency")
        key_fields = resource._key_fields()
        if agency_column is not None and agency_column.column_name in headers:
            narrow = ("agency__slug", agency_column.column_name)
        elif len(key_fields) == 1 and key_fields[0].column_name in headers:
            # A single plain key (slug, code, date): load only the rows the file names.
            narrow = (key_fields[0].attribute, key_fields[0].column_name)
        else:
            narrow = None
        if narrow is None:
            chunks = [queryset]
        else:
            lookup, column = narrow
            wanted = sorted({_canonical(value) for value in dataset[column]} - {""})
            if lookup != "agency__slug":
                # The keys that exist first (an index probe each): a file of new rows then loads nothing, and
                # the planner does not join the related tables for thousands of rows that are not there.
                wanted = [key for i in range(0, len(wanted), 5000) for key in
                          key_in(queryset, lookup, wanted[i:i + 5000]).values_list(lookup, flat=True)]
            chunks = [key_in(queryset, lookup, wanted[i:i + 5000]) for i in range(0, len(wanted), 5000)]
        for chunk in chunks:
            for instance in chunk:
                self.by_id[instance.pk] = instance
        resource.after_load(self.by_id)
        for instance in self.by_id.values():
            self.instances[resource.instance_key(instance)] = instance

    def get_instance(self, row):
        return self.instances.get(self.resource.row_key(row))

    def add(self, instance) -> None:
        self.instances[self.resource.instance_key(instance)] = instance


class StaffResource(resources.ModelResource):
    """Base for every staff import: natural keys, scope, validation, bulk writes with history."""

    #: the path from the model to Agency, for scoping ("" for Agency itself, None for shared data)
    agency_path: str | None = "agency"
    #: model fields that clean() derives and bulk_update must therefore write as well
    derived_fields: list[str] = []
    #: the foreign key to the same model whose targets must be created first
    self_parent: str | None = None
    #: clean() reads `parent_id`: write a parent created earlier in the same file before cleaning
    save_parents_before_clean = False

    class Meta:
        use_bulk = True
        batch_size = 1000
        skip_diff = True
        clean_model_instances = True
        instance_loader_class = NaturalKeyInstanceLoader
        report_skipped = True

    def __init__(self, user=None, batch=None, escape_formulae: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.batch = batch
        self.escape_formulae = escape_formulae
        self.loader: NaturalKeyInstanceLoader | None = None
        self._seen_rows: dict[tuple, int] = {}
        self._snapshots: dict[int, dict[str, Any]] = {}
        self.unchanged_rows: set[int] = set()
        self.touched_agency_ids: set[int] = set()
        #: ids of the rows this import created or changed (known once they are written), and of those it created
        self.written_ids: set[int] = set()
        self.created_ids: set[int] = set()
        self._key_fields_cache: list[fields.Field] | None = None
        self._field_checks: FieldChecks | None = None
        self._import_fields: list[fields.Field] | None = None
        self._columns: list[tuple[fields.Field, bool]] | None = None
        self._row_key: tuple[Any, tuple] = (None, ())
        self._resolved_keys = {field.attribute for field in self.fields.values()
                               if hasattr(field.widget, "instance_key_part")}
        for field in self.fields.values():
            if hasattr(field.widget, "instance_key_part"):
                field.widget.resource = self

    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        widget = super().widget_from_django_field(f, default)
        return PlainIntegerWidget if widget is widgets.IntegerWidget else widget

    def get_import_fields(self):
        # Asked once per row by the library; the fields do not change during an import.
        if self._import_fields is None:
            self._import_fields = super().get_import_fields()
        return list(self._import_fields)

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # As the library's, without formatting a debug message for each column the file leaves out,
        # on every row.
        if field.attribute and field.column_name in row:
            field.save(instance, row, is_m2m, **kwargs)

    # --- natural keys -----------------------------------------------------------------------
    def _key_fields(self) -> list[fields.Field]:
        if self._key_fields_cache is None:
            self._key_fields_cache = [self.fields[name] for name in self.get_import_id_fields()]
        return self._key_fields_cache

    def row_key(self, row) -> tuple:
        # Asked twice per row (the loader, then the duplicate check): computed once.
        if self._row_key[0] is not row:
            self._row_key = (row, self._compute_row_key(row))
        return self._row_key[1]

    def _compute_row_key(self, row) -> tuple:
        key = []
        for field in self._key_fields():
            value = row.get(field.column_name)
            if hasattr(field.widget, "instance_key_part"):
                key.append(_canonical(value))
            else:
                try:
                    key.append(_canonical(field.widget.clean(value, row=row)))
                except ValueError:
                    key.append(_canonical(value))
        return tuple(key)

    def instance_key(self, instance) -> tuple:
        key = []
        for field in self._key_fields():
            if hasattr(field.widget, "instance_key_part"):
                key.append(field.widget.instance_key_part(instance, field.attribute))
            else:
                key.append(_canonical(getattr(instance, field.attribute)))
        return tuple(key)

    # --- import hooks -----------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        self.loader = None
        self._import_fields = None
        self._columns = None
        self._seen_rows.clear()
        self.unchanged_rows.clear()
        headers = dataset.headers or []
        for name, field in self.fields.items():
            if isinstance(field.widget, NaturalKeyWidget):
                # A column the file leaves out names nothing: primed empty, not loaded whole on first use
                # (rows created here are remembered as they are saved).
                named = dataset[field.column_name] if field.column_name in headers else []
                keys = {_canonical(value) for value in named}
                field.widget.prime(keys, within=self.agencies_nameable(name) if field.widget.model is Agency else None)

    def agencies_nameable(self, field_name: str) -> models.QuerySet | None:
        """The agencies a restricted user may name in a column (None: any). Their own agencies; in the
        parent column also their current parents, which a file may repeat unchanged."""
        agency_ids = agency_ids_for(self.user) if self.user is not None else None
        if agency_ids is None:
            return None
        if field_name == "parent":
            return Agency.objects.filter(models.Q(pk__in=agency_ids) | models.Q(children__in=agency_ids)).distinct()
        return Agency.objects.filter(pk__in=agency_ids)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        # Reports need these after the resource is gone (the admin only keeps the Result).
        result.unchanged_rows = set(self.unchanged_rows)
        result.column_names = {field.attribute: field.column_name for field in self.fields.values()}
        result.preview_headers = list(dataset.headers or [])
        result.preview_rows = [list(row) for row in dataset[:PREVIEW_ROWS]] if len(dataset) else []

    def get_or_init_instance(self, instance_loader, row):
        self.loader = instance_loader
        return super().get_or_init_instance(instance_loader, row)

    def before_import_row(self, row, **kwargs):
        # Empty spreadsheet cells arrive as None; text columns store "", the widgets map "" to None.
        for column, value in row.items():
            row[column] = "" if value is None else unescape_formula(value)

    def after_init_instance(self, instance, new, row, **kwargs):
        key = self.row_key(row)
        number = kwargs.get("row_number")
        if key in self._seen_rows:
            columns = ", ".join(field.column_name for field in self._key_fields())
            raise ValidationError(f"Same {columns} as row {self._seen_rows[key]}.")
        self._seen_rows[key] = number
        if not new:
            self._snapshots[number] = self._field_values(instance)

    def _field_values(self, instance) -> dict[str, Any]:
        return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}

    def scoped_queryset(self) -> models.QuerySet:
        """The rows an import may update: for an agency editor only their agencies' (so a row naming
        another agency is refused exactly like one naming an agency that does not exist)."""
        queryset = self.get_queryset()
        if self.user is not None and self.agency_path is not None:
            from agencies.permissions import scope_queryset

            queryset = scope_queryset(queryset, self.user, self.agency_path)
        return queryset

    def loader_queryset(self) -> models.QuerySet:
        """The rows the instance loader reads (those of the file's agencies or keys, in chunks)."""
        return self.scoped_queryset().order_by()

    def after_load(self, instances: dict[int, models.Model]) -> None:
        """Hook: the instance loader has read these rows (by id)."""

    def locked_changes(self, instance) -> dict[str, list]:
        """Fields an agency editor tried to change that only administrators and editors may."""
        if self.agency_path != "" or self.user is None or agency_ids_for(self.user) is None:
            return {}
        before = self._snapshots.get(self._current_row)
        if before is None:
            return {}
        errors = {}
        for name in AGENCY_EDITOR_LOCKED_FIELDS:
            attname = instance._meta.get_field(name).attname
            if before.get(attname) != getattr(instance, attname):
                errors[name] = [ValidationError(
                    f"Agency editors may not change {name.replace('_', ' ')}: only administrators and editors can.",
                    code="locked",
                )]
        return errors

    def import_instance(self, instance, row, **kwargs):
        # As the library's, but over the columns the file has only (worked out on the first row: every
        # row of a dataset has the same columns), not over every field of the resource on every row.
        if self._columns is None:
            self._columns = [(field, _plain_text_column(field)) for field in self.get_import_fields()
                             if field.attribute and field.column_name in row
                             and not isinstance(field.widget, widgets.ManyToManyWidget)]
        errors: dict = {}
        for field, plain_text in self._columns:
            if plain_text:
                value = row[field.column_name]
                if type(value) is str and value:  # what CharWidget and Field.save would set, as it is
                    setattr(instance, field.attribute, value)
                    continue
            try:
                field.save(instance, row, **kwargs)
            except ValueError as error:
                errors[field.attribute] = [ValidationError(str(error), code="invalid")]
        for name, problems in self.locked_changes(instance).items():
            errors.setdefault(name, []).extend(problems)
        column = "agency" if self.agency_path == "agency" else NON_FIELD_ERRORS
        scope_problem = None if column in errors else self.scope_error(instance)  # one message per cell
        if scope_problem:
            errors.setdefault(column, []).append(ValidationError(scope_problem, code="scope"))
        if errors:
            raise ValidationError(errors)

    def scope_error(self, instance) -> str | None:
        """Why `self.user` may not write this row, if they may not."""
        if self.user is None:
            return None
        opts = instance._meta
        action = "add" if instance.pk is None else "change"
        if not self.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}"):
            return f"You may not {action} {opts.verbose_name_plural}."
        if self.agency_path is None:
            return None
        agency_ids = agency_ids_for(self.user)
        if agency_ids is None:
            return None
        agency_id = instance.pk if self.agency_path == "" else getattr(instance, "agency_id", None)
        if agency_id not in agency_ids:
            return "You may not edit this agency's records."
        return None

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors:
            return False
        if not any(_canonical(value) for value in row.values()):
            return True  # a blank line
        snapshot = self._snapshots.pop(self._current_row, None)
        if snapshot is not None and snapshot == self._field_values(instance):
            self.unchanged_rows.add(self._current_row)
            return True
        return False

    def import_row(self, row, instance_loader, **kwargs):
        self._current_row = kwargs.get("row_number")
        return super().import_row(row, instance_loader, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if self.save_parents_before_clean:
            self._save_pending_parent(instance)
        # Uniqueness and constraints are left to the database (one query per row otherwise);
        # duplicates inside the file are caught in after_init_instance.
        errors = dict(import_validation_errors or {})
        # Foreign keys resolved by our widgets exist already: skip Django's one-query-per-key check.
        exclude = set(errors) | self._resolved_keys
        if self._field_checks is None:
            self._field_checks = FieldChecks(type(instance))
        # full_clean(validate_unique=False, validate_constraints=False), with the fields cleaned in bulk.
        found = self._field_checks.clean_fields(instance, exclude)
        try:
            instance.clean()
        except ValidationError as error:
            found = error.update_error_dict(found)
        if found:
            errors = ValidationError(found).update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        if self.loader is not None and instance.pk is None:
            self.loader.add(instance)
        if self.agency_path == "agency":
            self.touched_agency_ids.add(instance.agency_id)

    # --- bulk writes with history ------------------------------------------------------------
    def _history_kwargs(self) -> dict[str, Any]:
        return {
            "default_user": self.user if self.user is not None and self.user.is_authenticated else None,
            "default_change_reason": self.batch.change_reason if self.batch is not None else "import",
        }

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.create_instances or not (using_transactions or not dry_run):
            return
        try:
            pending = list(self.create_instances)
            while pending:
                ready = [obj for obj in pending if self._parent_saved(obj)]
                if not ready:
                    raise ValidationError("Rows refer to each other as parents in a circle.")
                self._bulk_create_with_history(ready, batch_size=batch_size)
                ready_ids = {id(obj) for obj in ready}
                pending = [obj for obj in pending if id(obj) not in ready_ids]
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.create_instances.clear()

    def _bulk_create_with_history(self, objs: list[models.Model], batch_size: int | None) -> None:
        model = self._meta.model
        if not connections[router.db_for_write(model)].features.can_return_rows_from_bulk_insert:
            bulk_create_with_history(objs, model, batch_size=batch_size, **self._history_kwargs())
            created = [obj.pk for obj in objs if obj.pk is not None]
        else:
            if not rows_insert(model, objs, batch_size=batch_size or 1000):
                model._default_manager.bulk_create(objs, batch_size=batch_size)
            history_record(objs, model, history_type="+", **self._history_kwargs())
            created = [obj.pk for obj in objs]
        self.written_ids.update(created)
        self.created_ids.update(created)

    def _save_pending_parent(self, instance) -> None:
        parent = instance._state.fields_cache.get(self.self_parent)
        if parent is not None and parent.pk is None:
            self.bulk_create(True, False, True, batch_size=self._meta.batch_size)
            setattr(instance, self.self_parent, parent)  # sets parent_id now that the parent has one

    def _parent_saved(self, obj) -> bool:
        if self.self_parent is None:
            return True
        parent = obj._state.fields_cache.get(self.self_parent)
        return parent is None or parent.pk is not None

    def get_bulk_update_fields(self):
        names = {field.name for field in self._meta.model._meta.concrete_fields}
        id_fields = {self.fields[name].attribute for name in self.get_import_id_fields()}
        update = [
            field.attribute
            for field in self.fields.values()
            if field.attribute in names and field.attribute not in id_fields
        ]
        return update + [name for name in self.derived_fields if name not in update]

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if not self.update_instances or not (using_transactions or not dry_run):
            return
        try:
            model = self._meta.model
            model._default_manager.bulk_update(self.update_instances, self.get_bulk_update_fields(),
                                               batch_size=batch_size)
            history_record(self.update_instances, model, history_type="~", **self._history_kwargs())
            self.written_ids.update(obj.pk for obj in self.update_instances)
        except Exception as error:
            self.handle_import_error(result, error, raise_errors)
        finally:
            self.update_instances.clear()

    # --- export ------------------------------------------------------------------------------
    def filter_export(self, queryset, **kwargs):
        if self.user is not None and self.agency_path is not None:
            from agencies.permissions import scope_queryset

            queryset = scope_queryset(queryset, self.user, self.agency_path)
        return queryset

    def export_resource(self, instance, selected_fields=None, **kwargs):
        values = super().export_resource(instance, selected_fields, **kwargs)
        if self.escape_formulae:
            values = [escape_formula(value) for value in values]
        return values


def rows_insert(model: type[models.Model], objs: list[models.Model], *, batch_size: int = 1000) -> bool:
    """Insert new rows many per statement and give each object its id (INSERT … RETURNING), as
    QuerySet.bulk_create does for objects without a primary key, each value prepared by its field
    (`pre_save`, `get_db_prep_save`) but not compiled one by one through the SQL compiler. False (nothing
    written) where that shortcut does not apply: the caller then uses bulk_create."""
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    if opts.parents or not (connection.features.can_return_rows_from_bulk_insert and isinstance(opts.pk, AUTO_FIELDS)):
        return False
    if any(obj.pk is not None for obj in objs):
        return False
    fields = [field for field in opts.concrete_fields if not field.primary_key and not field.generated]
    if any(field.has_db_default() for field in fields):
        return False
    quote = connection.ops.quote_name
    insert = f"INSERT INTO {quote(opts.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
    returning = f" RETURNING {quote(opts.pk.column)}"
    as_json = _json_columns(fields, connection)
    if as_json:
        # The rows as one JSON document that the server reads into the table's row type: psycopg would
        # dump an array per column value by value in Python (0.25 s for 10,000 agencies), json.dumps
        # writes the document in C, and the statement stays one short plan.
        per_statement = batch_size
        names = [field.column for field in fields]
        source = (f"SELECT {', '.join(quote(name) for name in names)} "
                  f"FROM json_populate_recordset(NULL::{quote(opts.db_table)}, %s::json)")
    else:
        per_statement = min(batch_size, (connection.features.max_query_params or 65535) // len(fields))
        row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Stamped fields (auto_now, auto_now_add) get one time stamp per statement, prepared once, as
    # simple_history's bulk helpers give one to each batch (3.7 µs per value and row otherwise).
    stamped = [(column, field) for column, field in enumerate(fields)
               if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add)]
    preparing = [(field, (dt.datetime, dt.date) if (column, field) in stamped  # as stamped, replaced below
                  else _as_is(field, plain_numbers=as_json or connection.vendor == "sqlite"))
                 for column, field in enumerate(fields)]
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            chunk = objs[start:start + per_statement]
            stamps = [(column, field.attname, field.pre_save(chunk[0], True)) for column, field in stamped]
            for obj in chunk:
                for _column, attname, stamp in stamps:
                    setattr(obj, attname, stamp)
            rows = [[value if type(value := getattr(obj, field.attname)) in as_is
                     else field.get_db_prep_save(field.pre_save(obj, True), connection)
                     for field, as_is in preparing] for obj in chunk]
            for column, _attname, stamp in stamps:
                prepared = fields[column].get_db_prep_save(stamp, connection)
                for values in rows:
                    values[column] = prepared
            if as_json:
                document = json.dumps([dict(zip(names, values, strict=True)) for values in rows], default=_json_value,
                                      ensure_ascii=False)
                cursor.execute(f"{insert}{source}{returning}", [document])
            else:
                cursor.execute(f"{insert}VALUES {', '.join([row] * len(chunk))}{returning}",
                               [value for values in rows for value in values])
            ids = cursor.fetchall()
            if len(ids) != len(chunk):
                raise RuntimeError(f"{opts.db_table}: {len(chunk)} rows inserted, {len(ids)} ids returned")
            for obj, (pk,) in zip(chunk, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias
    return True


INTEGER_FIELDS = (
    models.IntegerField, models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
    models.PositiveBigIntegerField, models.PositiveSmallIntegerField, models.AutoField, models.BigAutoField,
)


def _as_is(field: models.Field, *, plain_numbers: bool) -> tuple[type, ...]:
    """The types of value this field stores as they are, so preparing them is skipped: str for plain
    text; with `plain_numbers` (values that json.dumps or SQLite take as they are) int or None for an
    integer or a foreign key to one, bool or None for a boolean. Any other value is prepared."""
    if _plain_text(field):
        return (str,)
    if not plain_numbers or type(field).pre_save is not models.Field.pre_save:
        return ()
    target = field.target_field if type(field) is models.ForeignKey else field
    if type(target) in INTEGER_FIELDS and (target is field or type(field).get_db_prep_save is
                                           models.ForeignKey.get_db_prep_save):
        return (int, type(None))
    if type(field) is models.BooleanField:
        return (bool, type(None))
    return ()


def _plain_text(field: models.Field) -> bool:
    """A text column that stores a str as it is: preparing each value through the field's methods
    (three calls per value, 200,000 values for 10,000 agencies) would return it unchanged."""
    cls = type(field)
    return (
        isinstance(field, (models.CharField, models.TextField))
        and cls.pre_save is models.Field.pre_save
        and cls.get_db_prep_save is models.Field.get_db_prep_save
        and cls.get_db_prep_value is models.Field.get_db_prep_value
        and cls.get_prep_value in (models.CharField.get_prep_value, models.TextField.get_prep_value)
        and cls.to_python in (models.CharField.to_python, models.TextField.to_python)
    )


#: field types whose prepared values json.dumps writes (or `_json_value`) and PostgreSQL reads back unchanged
JSON_TYPES = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField", "CharField",
    "SlugField", "TextField", "DateField", "DateTimeField", "TimeField", "DecimalField", "UUIDField",
}


def _json_columns(fields: list[models.Field], connection) -> bool:
    """Whether rows of these fields can travel as one JSON document (PostgreSQL; plain column types only:
    no float, whose NaN JSON cannot carry, nor fields with a placeholder of their own)."""
    if connection.vendor != "postgresql":
        return False
    for field in fields:
        target = field.target_field if field.is_relation else field
        if hasattr(field, "get_placeholder") or target.get_internal_type() not in JSON_TYPES:
            return False
    return True


def _json_value(value: Any) -> str:
    """The text PostgreSQL reads for a prepared value JSON has no type for."""
    if isinstance(value, (dt.date, dt.time)):  # datetimes too
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not written as JSON")


def key_in(queryset: models.QuerySet, lookup: str, keys: list) -> models.QuerySet:
    """`queryset.filter(<lookup>__in=keys)`; on PostgreSQL, for a text column of the model's own table,
    `column = ANY(%s)` with the keys as one array: psycopg's client-side binding would scan the
    statement for each of 5,000 placeholders in Python (5 % of a 10,000-agency import)."""
    connection = connections[queryset.db]
    if connection.vendor == "postgresql" and "__" not in lookup:
        field = queryset.model._meta.get_field(lookup)
        if isinstance(field, models.CharField) and not field.is_relation:
            quote = connection.ops.quote_name
            column = f"{quote(queryset.model._meta.db_table)}.{quote(field.column)}"
            return queryset.filter(RawSQL(f"{column} = ANY(%s)", [list(keys)], output_field=models.BooleanField()))
    return queryset.filter(**{f"{lookup}__in": keys})


def ids_in(connection, column: str, ids: list) -> tuple[str, list]:
    """`column IN (%s, …)` with a parameter per id; on PostgreSQL `column = ANY(%s)` with the ids as one
    array (psycopg's client-side binding scans the statement for every placeholder in Python)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


HISTORY_COLUMNS = ("history_date", "history_user_id", "history_change_reason", "history_type")
AUTO_FIELDS = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def history_copy_sql(model: type[models.Model], connection) -> tuple[str, list[str]] | None:
    """INSERT … SELECT recording one historical row per row of `model` (the id condition left as `{ids}`), and the
    history columns whose values it takes as parameters, in order; None when the history model has a
    column this does not know (the caller then builds historical rows in Python, as simple_history does)."""
    history = model.history.model
    if hasattr(history, "history_relation"):
        return None
    quote = connection.ops.quote_name
    tracked = {field.attname: model._meta.get_field(field.name).column for field in history.tracked_fields}
    columns, values, parameters = [], [], []
    for field in history._meta.concrete_fields:
        if field.primary_key and isinstance(field, AUTO_FIELDS):
            continue  # history_id: the database numbers the rows
        if field.attname in tracked:
            values.append(quote(tracked[field.attname]))
        elif field.attname in HISTORY_COLUMNS:
            values.append("%s")
            parameters.append(field.attname)
        else:
            return None
        columns.append(quote(field.column))
    pk = quote(model._meta.pk.column)
    sql = (f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} FROM {quote(model._meta.db_table)} WHERE {{ids}} ORDER BY {pk}")
    return sql, parameters


def history_record(objs: list[models.Model], model: type[models.Model], *, history_type: str, default_user=None,
                   default_change_reason: str = "", batch_size: int = 500) -> None:
    """One historical row per saved object, as simple_history's bulk helpers write them ('+' after
    bulk_create, '~' after bulk_update; one time stamp, user and change reason per batch), but copied by
    the database from the rows as stored: no historical instance per row, one statement per batch."""
    if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not objs:
        return
    connection = connections[router.db_for_write(model)]
    copy = history_copy_sql(model, connection)
    if copy is None:
        model.history.bulk_history_create(
            objs, batch_size=batch_size, update=history_type == "~", default_user=default_user,
            default_change_reason=default_change_reason,
        )
        return
    sql, parameters = copy
    date_field = model.history.model._meta.get_field("history_date")
    known = {
        "history_date": date_field.get_db_prep_save(timezone.now(), connection),
        "history_user_id": default_user.pk if default_user is not None else None,
        "history_change_reason": default_change_reason,
        "history_type": history_type,
    }
    values = [known[name] for name in parameters]
    ids = [obj.pk for obj in objs]
    pk = connection.ops.quote_name(model._meta.pk.column)
    if connection.vendor == "postgresql":
        batch_size = max(batch_size, 5000)  # the ids travel as one array: no limit on parameters
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch_size):
            condition, id_params = ids_in(connection, pk, ids[start:start + batch_size])
            cursor.execute(sql.format(ids=condition), [*values, *id_params])


def agency_field(column: str = "agency", attribute: str = "agency") -> fields.Field:
    return fields.Field(column_name=column, attribute=attribute, widget=NaturalKeyWidget(Agency, "slug"))


def region_field(column: str, attribute: str) -> fields.Field:
    return fields.Field(column_name=column, attribute=attribute, widget=NaturalKeyWidget(Region, "code"))


class RegionResource(StaffResource):
    parent = region_field("parent", "parent")
    agency_path = None
    self_parent = "parent"
    save_parents_before_clean = True

    class Meta(StaffResource.Meta):
        model = Region
        name = "regions"
        fields = ["code", "name", "name_zh", "level", "parent"]
        import_id_fields = ["code"]

    def get_queryset(self):
        return Region.objects.order_by("code")

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.fields["parent"].widget.remember(instance)  # later rows may name it as their parent


class AgencyResource(StaffResource):
    region = region_field("region", "region")
    seat = region_field("seat", "seat")
    parent = fields.Field(column_name="parent", attribute="parent", widget=NaturalKeyWidget(Agency, "slug"))
    agency_path = ""
    self_parent = "parent"
    derived_fields = ["version", "updated_at"]

    class Meta(StaffResource.Meta):
        model = Agency
        name = "agencies"
        fields = [
            "slug", "name", "name_zh", "level", "region", "seat", "parent", "parent_source", "rank", "description",
            "website",
            "address", "postcode", "timezone", "hours_as_published", "hours_notes", "hours_notes_zh", "status",
            "last_verified",
        ]
        import_id_fields = ["slug"]

    def get_queryset(self):
        # Supervising agencies before the agencies under them, so a file imports top-down.
        depth = Case(When(parent__isnull=True, then=0), When(parent__parent__isnull=True, then=1), default=2)
        return Agency.objects.select_related("region", "seat", "parent").order_by(depth, "slug")

    def before_save_instance(self, instance, row, **kwargs):
        # Imports change agencies too: move the optimistic-locking counter so open forms notice.
        if instance.pk is not None:
            instance.version += 1
        instance.updated_at = timezone.now()

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        self.fields["parent"].widget.remember(instance)


class AgencyNameResource(StaffResource):
    agency = agency_field()

    class Meta(StaffResource.Meta):
        model = AgencyName
        name = "other names"
        fields = ["agency", "name", "name_zh", "position"]
        import_id_fields = ["agency", "name"]

    def get_queryset(self):
        return AgencyName.objects.select_related("agency").order_by("agency__slug", "position", "id")


class ContactResource(StaffResource):
    agency = agency_field()
    derived_fields = ["e164"]

    class Meta(StaffResource.Meta):
        model = Contact
        name = "contacts"
        fields = ["agency", "kind", "position", "label", "value"]
        import_id_fields = ["agency", "kind", "position"]

    def get_queryset(self):
        return Contact.objects.select_related("agency").order_by("agency__slug", "position", "id")


class OfficeHoursResource(StaffResource):
    agency = agency_field()

    class Meta(StaffResource.Meta):
        model = OfficeHours
        name = "office hours"
        fields = [
            "agency", "weekdays", "opens", "closes", "valid_from", "valid_through", "season_name", "season_name_zh",
        ]
        import_id_fields = ["agency", "weekdays", "opens", "valid_from"]

    def get_queryset(self):
        return OfficeHours.objects.select_related("agency").order_by("agency__slug", "valid_from", "weekdays", "opens")


class SpecialDayResource(StaffResource):
    agency = agency_field()

    class Meta(StaffResource.Meta):
        model = SpecialDay
        name = "special days"
        fields = ["agency", "date", "kind", "opens", "closes", "reason", "reason_zh"]
        import_id_fields = ["agency", "date", "opens"]

    def get_queryset(self):
        return SpecialDay.objects.select_related("agency").order_by("agency__slug", "date", "opens")


class PublicHolidayResource(StaffResource):
    agency_path = None

    class Meta(StaffResource.Meta):
        model = PublicHoliday
        name = "public holidays"
        fields = ["date", "kind", "name", "name_zh", "notice"]
        import_id_fields = ["date"]

    def get_queryset(self):
        return PublicHoliday.objects.order_by("date")


class SourceResource(StaffResource):
    agency = agency_field()

    class Meta(StaffResource.Meta):
        model = Source
        name = "sources"
        fields = ["agency", "title", "url", "origin", "page_date", "translator", "retrieved_at", "reference"]
        import_id_fields = ["agency", "title"]

    def get_queryset(self):
        return Source.objects.select_related("agency").order_by("agency__slug", "-page_date", "id")
