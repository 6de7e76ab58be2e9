"""Staff pages for ingest: add a page (file, pasted text or, when enabled, a URL), review it side by
side, undo an applied page, and see where accepted facts came from (provenance)."""
from __future__ import annotations

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from agencies.models import Agency, Contact, Region
from agencies.permissions import agency_ids_for, scope_queryset
from duties.models import DutyCategory
from ingest import services
from ingest.fetch import FetchError, fetch_page, fetching_enabled
from ingest.models import IngestedPage, ProposedChange
from ingest.reading import ENCODING_CHOICES, MAX_PAGE_BYTES, EncodingNeeded, PageError, declared_charset
from ingest.review import WEEKDAY_CHOICES, highlighted_source, rows


class IngestForm(forms.Form):
    page_file = forms.FileField(required=False, label="Saved page",
                                help_text="An HTML page saved from the bureau's site, or a text file.")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}), label="Or paste the text")
    url = forms.URLField(required=False, label="Or fetch from",
                         help_text="Only when fetching is enabled; private and local addresses are refused.")
    encoding = forms.ChoiceField(required=False, choices=[("", "As the page declares, else UTF-8"), *ENCODING_CHOICES],
                                 help_text="Only for a saved page that is not UTF-8 and declares no encoding.")
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), required=False,
                                    help_text="Leave empty to match the bureau by the name on the page.")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = scope_queryset(Agency.objects.order_by("name"), user, "")
        if not fetching_enabled():
            del self.fields["url"]

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("page_file", "text", "url") if cleaned.get(name)]
        if len(given) != 1:
            raise ValidationError("Give exactly one of: a saved page, pasted text, or an address.")
        upload = cleaned.get("page_file")
        if upload and upload.size > MAX_PAGE_BYTES:
            raise ValidationError(f"The file is {upload.size:,} bytes; the limit is {MAX_PAGE_BYTES:,} bytes.")
        return cleaned


@admin.register(IngestedPage)
class IngestedPageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency", "status", "change_count", "created_by", "created_at"]
    list_filter = ["status"]
    search_fields = ["file_name", "agency__name", "agency__name_zh", "text"]
    list_select_related = ["agency", "created_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(change_total=Count("changes"))
        if agency_ids_for(request.user) is None:
            return queryset
        return queryset.filter(agency__in=agency_ids_for(request.user))

    @admin.display(description="Changes", ordering="change_total")
    def change_count(self, page: IngestedPage) -> int:
        return page.change_total

    def get_urls(self):
        return [
            path("<int:page_id>/undo/", self.admin_site.admin_view(self.undo_view), name="ingest_ingestedpage_undo"),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IngestForm(request.POST or None, request.FILES or None, user=request.user)
        preview = ""
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data.get("page_file"):
                    content, name, url = b"".join(data["page_file"].chunks()), data["page_file"].name, ""
                elif data.get("url"):
                    fetched = fetch_page(data["url"])
                    content, name, url = fetched.data, "", fetched.url
                    if not data.get("encoding") and declared_charset(content) is None:
                        data["encoding"] = fetched.charset  # the server's declaration, never a guess
                else:
                    content, name, url = data["text"], "", ""
                page = services.page_ingest(data=content, by=request.user, file_name=name, url=url,
                                            encoding=data.get("encoding") or None, agency=data.get("agency"))
            except EncodingNeeded as error:
                form.add_error("encoding", str(error))
                preview = error.preview()
            except (PageError, FetchError) as error:
                form.add_error(None, str(error))
            except PermissionDenied as error:
                form.add_error(None, str(error) or "You may not ingest this page.")
            else:
                if page.status == IngestedPage.Status.NO_CHANGES:
                    messages.info(request, "The page matches the record: nothing to change. "
                                           "Confirm it on the review page to mark the bureau verified.")
                return HttpResponseRedirect(reverse("admin:ingest_ingestedpage_change", args=[page.pk]))
        context = {**self.admin_site.each_context(request), "title": "Ingest a published page", "form": form,
                   "opts": self.opts, "preview": preview, "fetching": fetching_enabled()}
        return TemplateResponse(request, "admin/ingest/ingestedpage/add.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if not str(object_id).isdigit():
            raise Http404("No ingested page with that id.")  # junk in the URL is a 404, not a 500
        page = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_or_change_permission(request, page):
            raise PermissionDenied
        changes = list(page.changes.all())
        errors = []
        if request.method == "POST":
            if not self.has_change_permission(request, page):
                raise PermissionDenied
            try:
                if "reject_page" in request.POST:
                    services.page_reject(page=page, by=request.user)
                else:
                    services.page_review_apply(page=page, decisions=decisions_from(request.POST, changes),
                                               by=request.user, new_agency=new_agency_from(request.POST, page))
            except ValidationError as error:
                errors = error.messages
            except PermissionDenied as error:
                errors = [str(error) or "You may not apply this page."]
            else:
                page.refresh_from_db()
                messages.success(request, f"{page.get_status_display()}: {page}.")
                return HttpResponseRedirect(reverse("admin:ingest_ingestedpage_change", args=[page.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review {page}",
            "opts": self.opts,
            "page": page,
            "source_html": highlighted_source(page, changes),
            "rows": rows(page, changes),
            "unparsed": [page.text[start:end] for start, end in page.extraction.get("unparsed", [])],
            "errors": errors,
            "posted": request.POST if errors else None,
            "pending": page.status in {IngestedPage.Status.PENDING, IngestedPage.Status.NO_CHANGES},
            "can_change": self.has_change_permission(request, page),
            "new_bureau": page.agency is None and page.status == IngestedPage.Status.PENDING,
            "regions": Region.objects.order_by("code") if page.agency is None else [],
            "levels": Agency.Level.choices,
            "contact_kinds": Contact.Kind.choices,
            "categories": DutyCategory.objects.order_by("position"),
            "weekday_choices": WEEKDAY_CHOICES,
            "suggested_level": suggested_level(page),
            "needs_english_name": not (page.extraction.get("name") or {}).get("value"),
        }
        return TemplateResponse(request, "admin/ingest/ingestedpage/review.html", context)

    def undo_view(self, request, page_id):
        page = get_object_or_404(self.get_queryset(request), pk=page_id)
        if request.method != "POST" or not self.has_change_permission(request, page):
            raise PermissionDenied
        try:
            touched = services.page_apply_undo(page=page, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Undone: {touched} records restored or removed.")
        return HttpResponseRedirect(reverse("admin:ingest_ingestedpage_change", args=[page.pk]))


def decisions_from(post, changes: list[ProposedChange]) -> dict[int, services.Decision]:
    """Read the review form: decision-<id>, value-<id>, weekdays-<id>, category-<id>."""
    decisions = {}
    for change in changes:
        decision = post.get(f"decision-{change.pk}")
        if decision not in {"accepted", "rejected"}:
            continue
        value = None
        if decision == "accepted":
            edited_text = post.get(f"value-{change.pk}")
            weekdays = post.get(f"weekdays-{change.pk}")
            categories = [slug for slug in post.getlist(f"category-{change.pk}") if slug]
            if change.kind == "field" and edited_text is not None and edited_text != change.proposed:
                value = edited_text.strip()
            elif change.kind == "duty" and (edited_text is not None or categories):
                value = dict(change.proposed)
                if edited_text is not None:
                    value["text"] = edited_text.strip()
                if categories:
                    value["categories"] = categories
            elif change.kind == "contact" and change.proposed:
                edited = {name: post.get(f"{name}-{change.pk}", change.proposed[name]).strip()
                          for name in ("kind", "label", "value")}
                if edited["kind"] not in Contact.Kind.values:
                    raise ValidationError(f"{change.key}: unknown kind of contact '{edited['kind']}'.")
                if any(edited[name] != change.proposed[name] for name in edited):
                    value = {**change.proposed, **edited}
            elif change.kind == "hours" and weekdays:
                if not re.fullmatch(r"[1-7]{1,7}", weekdays):
                    raise ValidationError(f"{change.key}: weekdays are digits 1 (Monday) to 7 (Sunday).")
                value = {**change.proposed, "weekdays": weekdays}
        decisions[change.pk] = services.Decision(decision, value)
    return decisions


def new_agency_from(post, page: IngestedPage) -> services.NewAgency | None:
    if page.agency is not None or not post.get("region"):
        return None
    region = Region.objects.filter(code=post["region"]).first()
    if region is None:
        raise ValidationError(f"No region with code '{post['region']}'.")
    if post.get("level") not in Agency.Level.values:
        raise ValidationError("Choose the new bureau's level.")
    return services.NewAgency(region=region, level=post["level"], slug=post.get("slug", "").strip(),
                              name=post.get("name", "").strip())


def suggested_level(page: IngestedPage) -> str:
    """Read from the bureau's own name ('Provincial Department', '省…厅'); staff confirm it."""
    name = " ".join((page.extraction.get(key) or {}).get("value", "") for key in ("name", "name_zh"))
    if re.search(r"Provincial|省|厅", name):
        return Agency.Level.PROVINCIAL_DEPARTMENT
    if re.search(r"County|District|县|区", name):
        return Agency.Level.COUNTY_BUREAU
    return Agency.Level.MUNICIPAL_BUREAU


@admin.register(ProposedChange)
class ProvenanceAdmin(admin.ModelAdmin):
    """Where each accepted fact came from: the page, its position there and the words it read."""

    list_display = ["key", "action", "agency", "page_link", "position_in_page", "excerpt", "decided_by", "decided_at"]
    list_filter = ["kind", "action", ("page__agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["key", "page__agency__name", "page__agency__name_zh"]
    list_select_related = ["page__agency", "decided_by"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).filter(decision=ProposedChange.Decision.ACCEPTED)
        return scope_queryset(queryset, request.user, "page__agency")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Bureau")
    def agency(self, change: ProposedChange):
        return change.page.agency

    @admin.display(description="Page")
    def page_link(self, change: ProposedChange):
        from django.utils.html import format_html

        return format_html('<a href="{}">#{}</a>', reverse("admin:ingest_ingestedpage_change", args=[change.page_id]),
                           change.page_id)

    @admin.display(description="Characters")
    def position_in_page(self, change: ProposedChange) -> str:
        return "" if change.start is None else f"{change.start}–{change.end}"

    @admin.display(description="Source text")
    def excerpt(self, change: ProposedChange) -> str:
        text = change.source_excerpt
        return text if len(text) <= 120 else text[:117] + "…"
