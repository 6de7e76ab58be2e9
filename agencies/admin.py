"""The staff back office: one page per bureau with everything it publishes, spreadsheet import and
export, agency-scoped permissions, history with revert, and optimistic locking on agencies."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm
from simple_history.admin import SimpleHistoryAdmin

from agencies import services
from agencies.models import (
    Agency,
    AgencyAssignment,
    AgencyName,
    Contact,
    ImportBatch,
    OfficeHours,
    PublicHoliday,
    Region,
    Source,
    SpecialDay,
)
from agencies.permissions import AGENCY_EDITOR_LOCKED_FIELDS, agency_ids_for, may_edit_agency, scope_queryset
from agencies.resources import (
    AgencyNameResource,
    AgencyResource,
    ContactResource,
    OfficeHoursResource,
    PublicHolidayResource,
    RegionResource,
    SourceResource,
    SpecialDayResource,
)

# --- import form: strict UTF-8, or the encoding staff choose -----------------------------------------


def import_limits_message(size_text: str, resource: str) -> str:
    return (
        f"This file is too big for the admin ({size_text}; the admin imports up to "
        f"{settings.IMPORT_ADMIN_MAX_BYTES // 2**20} MB and {settings.IMPORT_ADMIN_MAX_ROWS:,} rows). "
        f"Import it from the shell instead: manage.py import_data {resource} <file> --user <your username>"
    )


class EncodingImportForm(ImportForm):
    """Reads the file the way `manage.py import_data` does (agencies.importfiles): a file that cannot be
    imported is refused here, with the same message, before the library sees it."""

    encoding = forms.ChoiceField(
        label="Encoding",
        required=False,
        choices=[("", "UTF-8 (checked strictly)"), *services.ENCODING_CHOICES],
        help_text="Only for CSV files that are not UTF-8. Excel in mainland China saves GB18030.",
    )
    field_order = ["resource", "import_file", "format", "encoding"]

    def __init__(self, formats, resources, **kwargs):
        self.formats = formats
        self.resource_name = kwargs.pop("resource_name", "")
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].allow_empty_file = True  # refused below, in the command's words

    def clean(self):
        cleaned = super().clean()
        upload, format_index = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or format_index in (None, ""):
            return cleaned
        if upload.size > settings.IMPORT_ADMIN_MAX_BYTES:
            self.add_error("import_file", import_limits_message(f"{upload.size / 2**20:.1f} MB", self.resource_name))
            return cleaned
        format_class = self.formats[int(format_index)]
        file_format = next(name for name, cls in services.FORMATS.items() if cls is format_class)
        data = b"".join(upload.chunks())
        encoding = cleaned.get("encoding") or None
        try:
            dataset = services.dataset_read(data=data, file_format=file_format, encoding=encoding)
        except services.EncodingError as error:
            self.add_error(
                "encoding",
                format_html(
                    "{}<br>Read as GB18030 the file begins:<pre class='encoding-preview'>{}</pre>",
                    str(error),
                    error.preview("gb18030"),
                ),
            )
            return cleaned
        except services.FileRefused as error:
            self.add_error("encoding" if encoding else "import_file", str(error))
            return cleaned
        if len(dataset) > settings.IMPORT_ADMIN_MAX_ROWS:
            self.add_error("import_file", import_limits_message(f"{len(dataset):,} rows", self.resource_name))
            return cleaned
        if not format_class().is_binary():
            # From here on the library reads UTF-8 only: hand it the decoded text re-encoded.
            text = services.decode_text(data, encoding)
            cleaned["import_file"] = SimpleUploadedFile(upload.name, text.encode("utf-8"), content_type="text/csv")
        cleaned["encoding"] = services.encoding_name(encoding) if not format_class().is_binary() else ""
        return cleaned


class EncodingConfirmImportForm(ConfirmImportForm):
    """Carries the encoding staff chose to the confirmed import, so its ImportBatch records it."""

    encoding = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)


# --- scoping ----------------------------------------------------------------------------------------


class AgencyScopedMixin:
    """Agency editors see and change only the agencies assigned to them and those agencies' records:
    on list pages, change forms, inlines, actions, exports and the history pages."""

    #: from the model to Agency: "" for Agency itself, None for data shared by all agencies
    agency_path: str | None = "agency"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.agency_path is None:
            return queryset
        return scope_queryset(queryset, request.user, self.agency_path)

    def agency_id_of(self, obj) -> int | None:
        return obj.pk if self.agency_path == "" else obj.agency_id

    def in_scope(self, request, obj) -> bool:
        if obj is None or self.agency_path is None:
            return True
        return may_edit_agency(request.user, self.agency_id_of(obj))

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if self.agency_path == "agency":
            services.agencies_touch(agency_ids=[obj.agency_id, form.initial.get("agency")])

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        if self.agency_path == "agency":
            services.agencies_touch(agency_ids=[obj.agency_id])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            kwargs["queryset"] = scope_queryset(Agency.objects.all(), request.user, "")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _history_in_scope(self, request, object_id) -> None:
        """History pages work from historical rows (also of deleted records): check their agency."""
        try:
            self.model._meta.pk.to_python(object_id)
        except ValidationError:
            raise Http404(f"No {self.opts.verbose_name} with the id '{object_id}'.") from None
        if agency_ids_for(request.user) is None or self.agency_path is None:
            return
        record = self.model.history.filter(id=object_id).order_by("-history_date").first()
        if record is None or not self.in_scope(request, record.instance):
            raise PermissionDenied

    def history_view(self, request, object_id, extra_context=None):
        self._history_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._history_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class StaffImportExportMixin(ImportExportMixin):
    """Import and export in CSV, XLSX and JSON, previewed, all or nothing, recorded as an ImportBatch."""

    formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]
    import_form_class = EncodingImportForm
    confirm_form_class = EncodingConfirmImportForm
    export_form_class = ExportForm
    import_error_display = ("message", "row")
    import_template_name = "admin/staff_import.html"
    skip_admin_log = True  # every row's history already says who changed what

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_import_form_kwargs(self, request):
        return {**super().get_import_form_kwargs(request), "resource_name": self.resource_name()}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["encoding"] = import_form.cleaned_data.get("encoding") or ""
        return initial

    def resource_name(self) -> str:
        resource_class = self.get_import_resource_classes(None)[0]
        return next(name for name, cls in services.resource_classes().items() if cls is resource_class)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = getattr(response, "context_data", {}).get("result")
        if result is not None:
            response.context_data["staff_report"] = services.report_from_result(result)
        return response

    def process_dataset(self, dataset, form, request, **kwargs):
        report = services.import_dataset(
            resource_name=self.resource_name(),
            dataset=dataset,
            user=request.user,
            file_name=form.cleaned_data.get("original_file_name") or "",
            encoding=form.cleaned_data.get("encoding") or ("" if self._binary(form) else "utf-8"),
        )
        request._staff_import_report = report
        return report.result

    def _binary(self, form) -> bool:
        return self.get_import_formats()[int(form.cleaned_data["format"])]().is_binary()

    def process_result(self, result, request):
        report = request._staff_import_report
        changelist = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        if not report.ok:
            for message in report.errors[:20]:
                messages.error(request, message)
            messages.error(request, "Nothing was imported: the file changed since the preview and has errors.")
            return HttpResponseRedirect(changelist)
        if report.batch is not None:
            batch_url = reverse("admin:agencies_importbatch_change", args=[report.batch.pk])
            messages.success(
                request,
                format_html('Import finished: {}. <a href="{}">Review or undo this import</a>.',
                            report.summary(), batch_url),
            )
        return HttpResponseRedirect(changelist)

    def get_export_data(self, file_format, request, queryset, **kwargs):
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource_class = self.choose_export_resource_class(kwargs.get("export_form"), request)
        spreadsheet = isinstance(file_format, (base_formats.CSV, base_formats.XLSX))
        resource = resource_class(user=request.user, escape_formulae=spreadsheet)
        dataset = resource.export(queryset=queryset)
        name = next(key for key, cls in services.FORMATS.items() if isinstance(file_format, cls))
        return services.dataset_write(dataset=dataset, file_format=name)


class StaffAdmin(AgencyScopedMixin, StaffImportExportMixin, SimpleHistoryAdmin):
    """Every staff model page: scoped, importable, exportable, with history and revert."""


# --- inlines of the agency page -------------------------------------------------------------------


class RecordInline(admin.TabularInline):
    extra = 0
    show_change_link = False


class AgencyNameInline(RecordInline):
    model = AgencyName
    fields = ["name", "name_zh", "position"]


class ContactInline(RecordInline):
    model = Contact
    fields = ["position", "kind", "label", "value", "e164"]
    readonly_fields = ["e164"]


class OfficeHoursInline(RecordInline):
    model = OfficeHours
    fields = ["weekdays", "opens", "closes", "season_name", "season_name_zh", "valid_from", "valid_through"]
    verbose_name_plural = "office-hour rules"


class SpecialDayInline(RecordInline):
    model = SpecialDay
    fields = ["date", "kind", "opens", "closes", "reason", "reason_zh"]


class SourceInline(RecordInline):
    model = Source
    fields = ["title", "url", "origin", "page_date", "translator", "retrieved_at", "reference"]


# --- agencies ------------------------------------------------------------------------------------


class NeedsReviewFilter(admin.SimpleListFilter):
    title = "review"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("needed", "Needs review (not verified for 12 months)"), ("current", "Verified within 12 months")]

    def queryset(self, request, queryset):
        if self.value() == "needed":
            return queryset.needs_review()
        if self.value() == "current":
            return queryset.exclude(pk__in=queryset.needs_review().values("pk"))
        return queryset


class AgencyForm(forms.ModelForm):
    """Carries the version the editor started from; a save from an older version is refused."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Agency
        fields = [
            "name", "name_zh", "slug", "level", "status", "region", "seat", "parent", "parent_source", "address",
            "postcode",
            "timezone", "rank", "description", "website", "hours_as_published", "hours_notes", "hours_notes_zh",
            "last_verified",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The database's version, not the instance's: the revert form's instance is an old one.
            current = Agency.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.fields["seen_version"].initial = current or self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            started_from = cleaned.get("seen_version")
            # Locks the row until the admin's transaction ends, so two saves cannot both pass.
            current = Agency.objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is not None and started_from != current.version:
                changes = services.agency_changes_since(agency=current, version=started_from or 0)
                raise ValidationError(
                    format_html(
                        "Someone else saved this agency while you were editing it, so your changes were "
                        "<strong>not saved</strong>. Changes since you opened the page:<ul>{}</ul>"
                        "Reload the page to see the current version, then make your changes again.",
                        format_html("".join("<li>{}</li>" for _ in changes), *changes) if changes else "",
                    ),
                    code="stale",
                )
        return cleaned


@admin.register(Agency)
class AgencyAdmin(StaffAdmin):
    form = AgencyForm
    agency_path = ""
    resource_classes = [AgencyResource]
    import_export_change_list_template = "admin/agencies/agency/change_list_staff.html"
    # The duties app adds its DutyInline before the sources (duties/admin.py): duties build on agencies.
    inlines = [AgencyNameInline, ContactInline, OfficeHoursInline, SpecialDayInline, SourceInline]
    list_display = ["name", "name_zh", "slug", "region", "level", "status", "last_verified", "needs_review"]
    list_filter = ["status", "level", NeedsReviewFilter, ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_zh", "slug", "region__name", "region__name_zh", "region__code",
                     "other_names__name", "other_names__name_zh"]
    list_select_related = ["region", "seat", "parent"]
    autocomplete_fields = ["region", "seat", "parent"]
    # Only through get_prepopulated_fields: the history (revert) form reads this attribute directly, and
    # for an agency editor the slug is not a form field.
    prepopulated_fields: dict = {}
    readonly_fields = ["created_at", "updated_at"]
    actions = ["mark_verified", "publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["name", "name_zh", "slug", "level", "status", "seen_version"]}),
        ("Place", {"fields": ["region", "seat", "parent", "parent_source", "address", "postcode", "timezone"]}),
        ("Published details", {"fields": ["rank", "description", "website", "hours_as_published", "hours_notes",
                                          "hours_notes_zh"]}),
        ("Review", {"fields": ["last_verified", "created_at", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="Needs review")
    def needs_review(self, agency: Agency) -> bool:
        return agency.is_stale()

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset, True if search_term else may_have_duplicates

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if agency_ids_for(request.user) is not None:
            readonly += [name for name in AGENCY_EDITOR_LOCKED_FIELDS if name not in readonly]
        return readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {} if agency_ids_for(request.user) is not None else {"slug": ["name"]}

    def save_model(self, request, obj, form, change):
        if change:
            current = Agency.objects.filter(pk=obj.pk).first()
            obj.version = max(current.version if current else 0, obj.version) + 1
            if current is not None and agency_ids_for(request.user) is not None:
                # Also on a revert from history, whose instance carries the old values of every field.
                for name in AGENCY_EDITOR_LOCKED_FIELDS:
                    attname = Agency._meta.get_field(name).attname
                    setattr(obj, attname, getattr(current, attname))
        super().save_model(request, obj, form, change)

    def has_publish_permission(self, request) -> bool:
        """Publishing is not an agency editor's to decide."""
        return self.has_change_permission(request) and agency_ids_for(request.user) is None

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            for inline_form in formset.forms:
                inline_form.instance._history_user = request.user
        super().save_related(request, form, formsets, change)

    @admin.action(description="Mark selected agencies as verified today", permissions=["change"])
    def mark_verified(self, request, queryset):
        for agency in queryset:
            services.agency_mark_verified(agency=agency, by=request.user)
        self.message_user(request, f"Marked {queryset.count()} agencies as verified today.", messages.SUCCESS)

    @admin.action(description="Publish selected agencies", permissions=["publish"])
    def publish(self, request, queryset):
        count = services.agencies_set_status(agencies=queryset, status=Agency.Status.PUBLISHED, by=request.user)
        self.message_user(request, f"Published {count} agencies.", messages.SUCCESS)

    @admin.action(description="Move selected agencies back to draft", permissions=["publish"])
    def unpublish(self, request, queryset):
        count = services.agencies_set_status(agencies=queryset, status=Agency.Status.DRAFT, by=request.user)
        self.message_user(request, f"Moved {count} agencies to draft.", messages.SUCCESS)

    # Deleted agencies stay in history and can be restored with the records deleted with them.
    def get_urls(self):
        return [
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="agencies_agency_deleted"),
            *super().get_urls(),
        ]

    def deleted_view(self, request):
        if agency_ids_for(request.user) is not None or not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            try:
                agency_id = int(request.POST.get("agency_id", ""))
                agency = services.agency_restore(agency_id=agency_id, by=request.user)
            except ValueError:
                messages.error(request, "Choose a deleted agency to restore (agency_id must be a number).")
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Restored {agency} with its records.")
                return HttpResponseRedirect(reverse("admin:agencies_agency_change", args=[agency.pk]))
        existing = Agency.objects.values("pk")
        deletions = Agency.history.filter(history_type="-").exclude(id__in=existing).order_by("-history_date")
        context = {
            **self.admin_site.each_context(request),
            "title": "Deleted agencies",
            "opts": self.opts,
            "deletions": deletions.select_related("history_user"),
        }
        return TemplateResponse(request, "admin/agencies/agency/deleted.html", context)


# --- the agency's records on their own pages (for lists across agencies, import and export) ------


@admin.register(Contact)
class ContactAdmin(StaffAdmin):
    resource_classes = [ContactResource]
    list_display = ["agency", "kind", "label", "value", "e164", "position"]
    list_filter = ["kind", "agency__status"]
    search_fields = ["agency__name", "agency__name_zh", "agency__slug", "label", "value", "e164"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    readonly_fields = ["e164"]


@admin.register(OfficeHours)
class OfficeHoursAdmin(StaffAdmin):
    resource_classes = [OfficeHoursResource]
    list_display = ["agency", "weekdays", "opens", "closes", "season_name", "valid_from", "valid_through"]
    search_fields = ["agency__name", "agency__name_zh", "agency__slug"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]


@admin.register(SpecialDay)
class SpecialDayAdmin(StaffAdmin):
    resource_classes = [SpecialDayResource]
    list_display = ["agency", "date", "kind", "opens", "closes", "reason"]
    list_filter = ["kind"]
    search_fields = ["agency__name", "agency__name_zh", "agency__slug", "reason", "reason_zh"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]
    date_hierarchy = "date"


@admin.register(AgencyName)
class AgencyNameAdmin(StaffAdmin):
    resource_classes = [AgencyNameResource]
    list_display = ["name", "name_zh", "agency", "position"]
    search_fields = ["name", "name_zh", "agency__name", "agency__slug"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]


@admin.register(Source)
class SourceAdmin(StaffAdmin):
    resource_classes = [SourceResource]
    list_display = ["title", "agency", "page_date", "retrieved_at", "url"]
    search_fields = ["title", "url", "agency__name", "agency__slug"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency"]


# --- data shared by all agencies --------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(StaffAdmin):
    agency_path = None
    resource_classes = [RegionResource]
    list_display = ["code", "name", "name_zh", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name", "name_zh"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(PublicHoliday)
class PublicHolidayAdmin(StaffAdmin):
    agency_path = None
    resource_classes = [PublicHolidayResource]
    list_display = ["date", "kind", "name", "name_zh"]
    list_filter = ["kind"]
    search_fields = ["name", "name_zh"]
    date_hierarchy = "date"


# --- who may edit which agency, and what imports did --------------------------------------------------


@admin.register(AgencyAssignment)
class AgencyAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "created_at"]
    search_fields = ["user__username", "agency__name", "agency__slug"]
    autocomplete_fields = ["agency"]
    list_select_related = ["user", "agency"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "created_at", "new", "updated", "unchanged", "skipped", "undone_at"]
    list_filter = ["resource"]
    readonly_fields = [
        "resource", "file_name", "encoding", "user", "created_at", "new", "updated", "unchanged", "skipped",
        "undone_at", "undone_by", "changes",
    ]
    actions = ["undo"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("user", "undone_by")
        if agency_ids_for(request.user) is not None:
            queryset = queryset.filter(user=request.user)  # agency editors see their own imports
        return queryset

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Records changed")
    def changes(self, batch: ImportBatch):
        lines = []
        for model in services.history_models():
            for record in model.history.filter(history_change_reason=batch.change_reason).order_by("history_id")[:200]:
                verb = {"+": "created", "~": "changed", "-": "deleted"}[record.history_type]
                lines.append(f"{model._meta.verbose_name} {verb}: {record.instance}")
        return format_html("<ul>{}</ul>", format_html("".join("<li>{}</li>" for _ in lines), *lines))

    @admin.action(description="Undo selected imports", permissions=["change"])
    def undo(self, request, queryset):
        for batch in queryset:
            try:
                touched = services.import_batch_undo(batch=batch, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{batch}: {' '.join(error.messages)}", messages.WARNING)
            else:
                self.message_user(request, f"Undid {batch}: {touched} records put back.", messages.SUCCESS)

    def get_urls(self):
        return [
            path("<int:pk>/undo/", self.admin_site.admin_view(self.undo_view), name="agencies_importbatch_undo"),
            *super().get_urls(),
        ]

    def undo_view(self, request, pk: int):
        batch = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST" or not self.has_change_permission(request, batch):
            raise PermissionDenied
        self.undo(request, ImportBatch.objects.filter(pk=batch.pk))
        return HttpResponseRedirect(reverse("admin:agencies_importbatch_change", args=[pk]))


# --- users: an administrator assigns an agency editor's agencies on the user's own page -------------


class AgencyAssignmentInline(admin.TabularInline):
    model = AgencyAssignment
    extra = 0
    autocomplete_fields = ["agency"]
    verbose_name_plural = "agencies this user may edit (members of “Agency editors”)"


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AgencyAssignmentInline]
