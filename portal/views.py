"""The public site: thin views over published agencies (reads live on the querysets)."""
from __future__ import annotations

import datetime as dt
import html
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from agencies.hours import Calendar, agency_status, status_holds_until
from agencies.models import Agency, Region, RegionTally
from agencies.opening import listed_status
from api.filters import AgencyFilter
from duties.models import Duty, DutyCategory, profile_duties
from freshness.memo import remember
from freshness.pages import cached_page, minute_of, rendering_for_cache
from portal.forms import CorrectionForm, VisitForm, correction_rate_exceeded
from portal.jsonld import agency_jsonld, as_script
from portal.search import match_reasons
from portal.services import correction_report_create
from portal.status import (
    AS_OF_PLACEHOLDER,
    LOCAL_TIME_PLACEHOLDER,
    day_summary,
    format_date,
    format_datetime,
    format_time,
    listing_holds_until,
    profile_clock,
    status_line,
    upcoming_days,
    weekly_tables,
)
from portal.vcard import agency_vcard
from search.highlight import attach_duty_texts

RESULTS_PER_PAGE = 20
COUNT_CAP = 5000
COMPARE_PER_PAGE = 12
SEARCH_PARAMS = ("q", "region", "level", "category", "open_now")


def region_choices(selected: str = "") -> tuple[tuple[str, str, bool], ...]:
    """(code, label, is_province) for the region filter: provinces, each followed by its cities.
    Remembered per content version and language (a 2,000-row read on every home page otherwise).

    Counties would make the list thousands long: one is offered only when already chosen (by URL).
    Plain rows, not model instances: at national scale the list has ~2,000 entries. Codes nest by
    prefix (GB/T 2260), so a county's city is found by its code. The list without a choice, which nearly
    every page shows, is also kept in this process (unpickling it from the cache took 0.8 ms a page)."""
    return remember(f"region-choices:{get_language()}:{selected}", lambda: _region_choices(selected),
                    local=not selected)


def _region_choices(selected: str) -> tuple[tuple[str, str, bool], ...]:
    # By (level, code), the index's own order, then by code here: ordered by code alone (or with the
    # chosen county OR-ed in), SQLite walks the code index through all ~100,000 regions (13 ms, not 1).
    rows = list(Region.objects.filter(level__in=[Region.Level.PROVINCE, Region.Level.PREFECTURE])
                .order_by("level", "code").values_list("code", "name", "name_zh", "level"))
    if selected:
        rows += Region.objects.filter(code=selected, level=Region.Level.COUNTY).values_list(
            "code", "name", "name_zh", "level")
    rows.sort()
    chinese = (get_language() or "en").startswith("zh")
    names = {code: (name_zh if chinese and name_zh else name or name_zh) for code, name, name_zh, _level in rows}
    choices = []
    for code, _name, _name_zh, level in rows:
        label = names[code]
        if level == Region.Level.COUNTY and f"{code[:4]}00" in names:
            label = f"{names[code[:4] + '00']} › {label}"
        choices.append((code, label, level == Region.Level.PROVINCE))
    return tuple(choices)


def _filterset(request: HttpRequest) -> tuple[AgencyFilter, int]:
    # A NUL byte makes PostgreSQL raise on any lookup: such a value is refused before it reaches one.
    with_nul = [key for key, values in request.GET.lists() if any("\x00" in value for value in values)]
    data = request.GET.copy()
    for key in with_nul:
        del data[key]
    filterset = AgencyFilter(data, queryset=Agency.objects.published())
    valid = filterset.is_valid()
    for key in with_nul:
        if key in filterset.form.fields:
            filterset.form.add_error(key, _("Null characters are not allowed."))
            valid = False
    return filterset, (200 if valid else 400)


def _chosen_region(filterset: AgencyFilter) -> str:
    region = filterset.form.cleaned_data.get("region")
    return region.code if region else ""


@cached_page(clock=True, live=True)
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Home and search in one page: every published bureau, narrowed by the shared AgencyFilter."""
    filterset, status = _filterset(request)
    query = filterset.form.cleaned_data.get("q") or ""
    searching = any(request.GET.get(param) for param in SEARCH_PARAMS)
    # Invalid filters list nothing rather than silently ignoring what the visitor asked for.
    agencies = filterset.qs if status == 200 else Agency.objects.none()
    search = filterset.search_results if status == 200 else None
    more_than = None
    paginator = Paginator(agencies, RESULTS_PER_PAGE)
    if status == 200 and not filterset.narrowed:
        paginator.count = Agency.objects.published_count()  # every published bureau: from the tallies
    ranked_ids = search.ranked_ids if search else None
    if query:
        # Common words match most bureaus: count up to a cap ("more than 5,000") instead of all of them.
        # A search answered from the index's window already holds its ids: its page is a slice of them.
        if ranked_ids is not None:
            found = len(ranked_ids)
        else:
            found = (search.unranked() if search else agencies)[:COUNT_CAP + 1].count()
        if found > COUNT_CAP:
            found, more_than = COUNT_CAP, COUNT_CAP
        elif search and search.capped and found:
            # A common word: only the best-ranked matches are listed, and more bureaus have it.
            more_than = max(found - found % 100, 1)
        paginator = Paginator(ranked_ids[:found] if ranked_ids is not None else agencies[:found], RESULTS_PER_PAGE)
        paginator.count = found  # shadows the cached_property: counted once, above
    page = paginator.get_page(request.GET.get("page"))
    calendar, now = remember("calendar", Calendar.load, local=True), timezone.now()
    parsed = search.query if search else None
    if ranked_ids is not None:
        listing = Agency.objects.page_with_listing(list(page.object_list), query)
        attach_duty_texts(listing)
    elif query:
        listing = Agency.objects.page_with_listing(list(page.object_list.values_list("pk", flat=True)), query)
        attach_duty_texts(listing)
    else:
        listing = Agency.objects.page_with_listing(page.object_list)
    statuses = [listed_status(agency, now, calendar) for agency in listing]
    results = [
        {"agency": agency, "status": status_line(status), "matches": match_reasons(agency, parsed) if parsed else []}
        for agency, status in zip(listing, statuses, strict=True)
    ]
    response = render(request, "portal/home.html", {
        "filterset": filterset, "form": filterset.form, "query": query, "searching": searching,
        "search": search, "more_than": more_than,
        "suggestion_url": _suggestion_url(request, search),
        "filters_active": any(request.GET.get(param) for param in SEARCH_PARAMS if param != "q"),
        "page": page, "results": results, "region_choices": region_choices(_chosen_region(filterset)),
        "categories": remember("categories", lambda: list(DutyCategory.objects.all())), "levels": Agency.Level.choices,
    }, status=status)
    # Which bureaus are open now changes with any of them, not only those listed: such a list is kept a minute.
    response.live_until = (minute_of(now) + dt.timedelta(minutes=1) if request.GET.get("open_now")
                           else listing_holds_until(statuses))
    return response


def _visit_answer(agency: Agency, form: VisitForm, calendar: Calendar) -> dict:
    """"Is it open on …?" from the one office_status: the day's hours (or why closed) and, for a
    given time, the same open/closed answer as the API's status at that moment."""
    day, time = form.cleaned_data["on"], form.cleaned_data.get("at")
    moment = dt.datetime.combine(day, time or dt.time(0), tzinfo=agency.zone)
    status = agency_status(agency, moment, calendar)
    return {
        "date": format_date(day), "time": format_time(time) if time else "",
        "known": status.state != "unknown", "day": day_summary(status.today), "season": status.season,
        "status": status_line(status) if time else None,
        "api_url": f"{reverse('api:agency-status', kwargs={'slug': agency.slug})}?"
                   f"{urlencode({'at': moment.isoformat()})}",
    }


def phone_numbers(contacts) -> list[dict]:
    """Each telephone number once, with every label it is published under ("tel" and "Contact
    (Department Office)" for one Gansu number): [{e164, kinds, contacts}] in published order. The
    records stay as published; only the page folds them."""
    by_number: dict[str, list] = {}
    for contact in contacts:
        if contact.is_phone:
            by_number.setdefault(contact.e164 or contact.value, []).append(contact)
    return [
        {"e164": same[0].e164, "contacts": same, "kinds": list(dict.fromkeys(c.get_kind_display() for c in same))}
        for same in by_number.values()
    ]


def _suggestion_url(request: HttpRequest, search) -> str:
    if not search or not search.suggestion:
        return ""
    params = request.GET.copy()
    params["q"] = search.suggestion.text
    params.pop("page", None)
    return f"{request.path}?{params.urlencode()}"


def _profile_context(request: HttpRequest, agency: Agency) -> dict:
    """Everything but the moment itself ("it is now 10:32 there") stays true until `live_until`: a page
    rendered for the cache shows placeholders there, which `profile_clock` fills per request."""
    calendar, now = remember("calendar", Calendar.load, local=True), timezone.now()
    local_now = now.astimezone(agency.zone)
    status = agency_status(agency, now, calendar)
    url = request.build_absolute_uri(agency.get_absolute_url())
    phones = [c for c in agency.contacts.all() if c.is_phone]
    website = agency.website or next((c.value for c in agency.contacts.all() if c.kind == "website"), "")
    visit_form = VisitForm(request.GET if "on" in request.GET else None,
                           initial={"on": local_now.date()}, auto_id="visit_%s", label_suffix="")
    return {
        "agency": agency,
        "status": status_line(status),
        "today_label": format_date(local_now.date()),
        "today_hours": day_summary(status.today) if status.state != "unknown" else "",
        "as_of": AS_OF_PLACEHOLDER if rendering_for_cache(request) else format_datetime(local_now),
        "publishes_phone_or_website": bool(phones or website),
        "region_to_browse": agency.region.parent or agency.region,
        "visit_form": visit_form,
        "visit": _visit_answer(agency, visit_form, calendar) if visit_form.is_valid() else None,
        "local_time": LOCAL_TIME_PLACEHOLDER if rendering_for_cache(request) else format_time(local_now),
        "live_until": status_holds_until(status),
        "seasons": weekly_tables(list(agency.office_hours.all()), local_now.date()),
        "upcoming": upcoming_days(agency, calendar, local_now.date()),
        "phones": phones,
        "phone_numbers": phone_numbers(agency.contacts.all()),
        "other_contacts": [c for c in agency.contacts.all() if not c.is_phone],
        # The website field repeats a published website contact more often than not.
        "show_website": bool(agency.website) and all(c.value != agency.website for c in agency.contacts.all()),
        "stale": agency.is_stale(local_now.date()),
        "jsonld": as_script(agency_jsonld(agency, url, calendar, local_now.date())),
        "canonical_url": url,
    }


@cached_page(clock=True, live=profile_clock)
@require_safe
def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published().with_profile().prefetch_related(profile_duties()),
                               slug=slug)
    context = _profile_context(request, agency)
    context["correction_form"] = CorrectionForm()
    status = 400 if context["visit_form"].is_bound and context["visit_form"].errors else 200
    response = render(request, "portal/agency_detail.html", context, status=status)
    response.live_state, response.live_until = agency.timezone, context["live_until"]
    return response


@require_safe
def agency_vcard_download(request: HttpRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(Agency.objects.published().prefetch_related("contacts"), slug=slug)
    card = agency_vcard(agency, request.build_absolute_uri(agency.get_absolute_url()))
    response = HttpResponse(card, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{agency.slug}.vcf"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def agency_correction(request: HttpRequest, slug: str) -> HttpResponse:
    """GET shows the form alone; POST files a report. The profile embeds the same form."""
    agency = get_object_or_404(Agency.objects.published(), slug=slug)
    form = CorrectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if correction_rate_exceeded(request):
            return render(request, "portal/correction.html", {"agency": agency, "form": form, "limited": True},
                          status=429)
        if form.is_valid():
            # A filled honeypot gets the same thanks, so a bot learns nothing — but nothing is stored.
            if not form.is_bot:
                correction_report_create(agency=agency, message=form.cleaned_data["message"],
                                         email=form.cleaned_data["email"], language=get_language() or "")
            messages.success(request, _("Thank you. Your report was sent to the editors, who will check it."))
            return redirect(agency)
        status = 400
    return render(request, "portal/correction.html", {"agency": agency, "form": form}, status=status)


def compare_cells(agencies: list[Agency]) -> dict[tuple[int, int], dict]:
    """{(agency id, category id): {"count": items, "first": first item's id}}, counting published items:
    an item counts once for a category it or any of its sub-items carries. Each agency also learns
    whether it publishes duties at all and whether some are not categorised yet, so an empty cell
    can say "none" only where that is the truth."""
    Link = Duty.categories.through
    links = (
        Link.objects.filter(duty__agency__in=agencies)
        .annotate(item=Coalesce("duty__parent_id", "duty_id"))
        .values_list("duty__agency_id", "dutycategory_id", "item")
    )
    items: dict[tuple[int, int], set[int]] = {}
    for agency_id, category_id, item in links:
        items.setdefault((agency_id, category_id), set()).add(item)
    with_duties = set(Duty.objects.filter(agency__in=agencies).values_list("agency_id", flat=True).distinct())
    uncategorised = set(
        Duty.objects.filter(agency__in=agencies, categories__isnull=True)
        .values_list("agency_id", flat=True).distinct()
    )
    for agency in agencies:
        agency.publishes_duties = agency.pk in with_duties
        agency.has_uncategorised_duties = agency.pk in uncategorised
    return {key: {"count": len(ids), "first": min(ids)} for key, ids in items.items()}


@cached_page(clock=lambda request: "open_now" in request.GET)
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    """Duty categories × bureaus: which bureau carries which responsibility."""
    filterset, status = _filterset(request)
    agencies = filterset.qs if status == 200 else Agency.objects.none()
    paginator = Paginator(agencies.select_related("region"), COMPARE_PER_PAGE)
    if status == 200 and not filterset.narrowed:
        paginator.count = Agency.objects.published_count()
    page = paginator.get_page(request.GET.get("page"))
    agencies = list(page)
    cells = compare_cells(agencies)
    rows = [(category, [(agency, cells.get((agency.pk, category.pk))) for agency in agencies])
            for category in DutyCategory.objects.all()]
    return render(request, "portal/compare.html", {
        "form": filterset.form, "page": page, "agencies": agencies, "rows": rows,
        "region_choices": region_choices(_chosen_region(filterset)), "levels": Agency.Level.choices,
    }, status=status)


@cached_page()
@require_safe
def region_list(request: HttpRequest) -> HttpResponse:
    """Provinces › cities, with how many published bureaus each has (counted by code prefix, so a
    city's count includes its counties; a province's is the sum of its prefixes)."""
    city_counts = dict(RegionTally.objects.filter(published__gt=0).values_list("prefix", "published"))
    province_counts: dict[str, int] = {}
    for prefix, count in city_counts.items():
        province_counts[prefix[:2]] = province_counts.get(prefix[:2], 0) + count
    provinces = list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))
    cities: dict[str, list[tuple[str, str, str]]] = {}
    chinese = (get_language() or "en").startswith("zh")
    for code, name, name_zh in Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code").values_list(
            "code", "name", "name_zh"):
        cities.setdefault(code[:2], []).append((code, name, name_zh))
    link = reverse("site:region", kwargs={"code": "000000"})
    for province in provinces:
        province.total = province_counts.get(province.code[:2], 0)
        province.city_items = _city_items(cities.get(province.code[:2], []), city_counts, link, chinese)
    return render(request, "portal/region_list.html", {"provinces": provinces})


def _city_items(cities: list[tuple[str, str, str]], counts: dict[str, int], link: str, chinese: bool) -> SafeString:
    """<li>s of a province's cities, written in Python: the template language took ~150 ms for the
    1,700 cities of a national list (a `{% url %}` and two lookups each)."""
    items = []
    for code, name, name_zh in cities:
        shown, lang = (name_zh, "zh-Hans") if (chinese and name_zh) or not name else (name, "en")
        href = html.escape(link.replace("000000", code))
        items.append(f'<li><a href="{href}" lang="{lang}">{html.escape(shown)}</a> '
                     f'<span class="count">({counts.get(code[:4], 0)})</span></li>')
    return mark_safe("".join(items))


def _regions_below(region: Region) -> QuerySet[Region]:
    """The cities of a province or the counties of a city, by code prefix (as `in_region` counts them)."""
    if region.level == Region.Level.PROVINCE:
        return Region.objects.filter(level=Region.Level.PREFECTURE, code__startswith=region.code[:2]).order_by("code")
    if region.level == Region.Level.PREFECTURE:
        return Region.objects.filter(level=Region.Level.COUNTY, code__startswith=region.code[:4]).order_by("code")
    return Region.objects.none()


@cached_page(clock=True, live=True)
@require_safe
def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    region = get_object_or_404(Region.objects.select_related("parent__parent"), code=code)
    # The page's ids first, from the agency index alone (a province has thousands of bureaus to order by
    # name), then those rows with their joins.
    ids = Agency.objects.published().in_region(region).order_by("name", "pk").values_list("pk", flat=True)
    page = Paginator(ids, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    calendar, now = remember("calendar", Calendar.load, local=True), timezone.now()
    listing = Agency.objects.page_with_listing(list(page.object_list))
    statuses = [listed_status(agency, now, calendar) for agency in listing]
    response = render(request, "portal/region_detail.html", {
        "region": region, "ancestors": region.ancestors(), "cities": _regions_below(region), "page": page,
        "results": [{"agency": agency, "status": status_line(status)}
                    for agency, status in zip(listing, statuses, strict=True)],
    })
    response.live_until = listing_holds_until(statuses)
    return response


FAVICON = Path(__file__).resolve().parent.parent / "static" / "portal" / "favicon.ico"


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/vnd.microsoft.icon")
    response["Cache-Control"] = "public, max-age=604800"
    return response


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    return HttpResponse(f"User-agent: *\nDisallow: /admin/\nSitemap: {sitemap_url}\n", content_type="text/plain")
