"""Regions, agencies and what an agency publishes about itself: names, contacts, hours, sources."""
from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator, URLValidator, validate_email
from django.db import connections, models
from django.db.models import Prefetch, Q
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.phones import to_e164

MONTH_DAY_RE = re.compile(r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
DAYS_IN_MONTH = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def parse_month_day(value: str) -> tuple[int, int]:
    """'07-01' → (7, 1); raises ValidationError for anything that is not a real calendar day."""
    match = MONTH_DAY_RE.match(value or "")
    if not match:
        raise ValidationError(
            "'%(value)s' is not a month-day in MM-DD form.", code="month_day", params={"value": value}
        )
    month, day = int(match.group(1)), int(match.group(2))
    if day > DAYS_IN_MONTH[month]:
        raise ValidationError(
            "'%(value)s' is not a day of the year.", code="month_day", params={"value": value}
        )
    return month, day


def validate_month_day(value: str) -> None:
    parse_month_day(value)


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "'%(value)s' is not an IANA time zone.", code="timezone", params={"value": value}
        ) from None


class Localized:
    """`display_name` picks the Chinese field when the active language is Chinese and it is filled."""

    def localized(self, field: str) -> str:
        english = getattr(self, field)
        chinese = getattr(self, f"{field}_zh", "")
        if (get_language() or "en").startswith("zh") and chinese:
            return chinese
        return english or chinese

    def localized_lang(self, field: str) -> str:
        """The `lang` attribute of what `localized` returns."""
        chinese = getattr(self, f"{field}_zh", "")
        english = getattr(self, field)
        if chinese and ((get_language() or "en").startswith("zh") or not english):
            return "zh-Hans"
        return "en"

    @property
    def display_name(self) -> str:
        return self.localized("name")

    @property
    def display_hours_notes(self) -> str:
        return self.localized("hours_notes")

    @property
    def display_hours_notes_lang(self) -> str:
        return self.localized_lang("hours_notes")

    @property
    def display_name_lang(self) -> str:
        return self.localized_lang("name")


class RegionManager(models.Manager):
    def get_by_natural_key(self, code: str) -> Region:
        return self.get(code=code)


class Region(Localized, models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture-level city")
        COUNTY = "county", _("County")

    code = models.CharField(
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", "A region code is six digits (GB/T 2260).")],
        help_text="Official six-digit GB/T 2260 division code, e.g. 330100 for Hangzhou.",
    )
    name = models.CharField(max_length=200, help_text="English name, e.g. Hangzhou.")
    name_zh = models.CharField(max_length=200, blank=True, help_text="Chinese name, e.g. 杭州市.")
    level = models.CharField(max_length=20, choices=Level.choices)
    # Removing a province must not silently orphan or delete its cities.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated for benchmarks; never real data."
    )
    history = HistoricalRecords()

    objects = RegionManager()

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"),
        ]
        # The region filter lists provinces and cities only: ~2,000 of ~100,000 regions nationally.
        indexes = [models.Index(fields=["level", "code"], name="region_level_code_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    #: how far above a region its ancestors may go (county → prefecture → province); walks stop there
    MAX_DEPTH = 3
    RANK = {Level.PROVINCE: 0, Level.PREFECTURE: 1, Level.COUNTY: 2}

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "A region cannot be its own parent."})
        if self.level == self.Level.PROVINCE and self.parent_id:
            raise ValidationError({"parent": "A province has no parent region."})
        if self.level != self.Level.PROVINCE and not self.parent_id:
            raise ValidationError({"parent": "Cities and counties need a parent region."})
        parent = self.parent if self.parent_id else None
        if parent is None:
            return
        # A parent is always a level above (a county may sit directly under its province), which
        # also makes a circle of parents impossible: 330100 → 330300 → 330100 is refused here.
        if self.RANK.get(parent.level, 0) >= self.RANK.get(self.level, 0):
            raise ValidationError({"parent": (
                f"The parent region must be above a {self.get_level_display().lower()}: "
                f"{parent} is a {parent.get_level_display().lower()}."
            )})
        if self.pk is not None and any(node.pk == self.pk for node in parent.ancestors()):
            raise ValidationError({"parent": f"{parent} is below this region: parents would go in a circle."})

    def ancestors(self) -> list[Region]:
        """From the province down to this region (one query per level; at most three).

        Bounded: a circle of parents written behind validation's back cannot hang a page."""
        chain, node, seen = [], self, set()
        while node is not None and len(chain) <= self.MAX_DEPTH and (node.pk is None or node.pk not in seen):
            seen.add(node.pk)
            chain.append(node)
            node = node.parent
        return list(reversed(chain))


class EqualsAny(models.Lookup):
    """`column = ANY(array)`, as a filter expression (PostgreSQL)."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class AgencyQuerySet(models.QuerySet):
    def published(self) -> AgencyQuerySet:
        return self.filter(status=Agency.Status.PUBLISHED)

    def in_region(self, region: Region) -> AgencyQuerySet:
        """Agencies of a region and of every region below it (codes nest by prefix)."""
        if region.level == Region.Level.PROVINCE:
            prefix = region.code[:2]
        elif region.level == Region.Level.PREFECTURE:
            prefix = region.code[:4]
        else:
            prefix = region.code
        # Codes nest by prefix: a range on the unique code index (83 ≤ code < 84), which SQLite can
        # use where its case-blind LIKE cannot.
        below = Region.objects.filter(code__gte=prefix, code__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
        if connections[self.db].vendor == "postgresql":
            # = ANY(ARRAY(…)): one probe of the agencies' region index per region, where PostgreSQL
            # plans `IN (subquery)` as a hash join over every agency (8 ms instead of 35–66 at 100,000).
            from django.contrib.postgres.expressions import ArraySubquery

            return self.filter(EqualsAny(models.F("region_id"), ArraySubquery(below.values("id"))))
        return self.filter(region_id__in=below.values("id"))

    def needs_review(self, today: dt.date | None = None) -> AgencyQuerySet:
        """Not verified in the last 12 months (or never)."""
        today = today or timezone.now().date()
        cutoff = today - dt.timedelta(days=365)
        return self.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))

    def with_profile(self) -> AgencyQuerySet:
        """The agency's own part of its public profile (site and API), in a fixed number of queries however
        much there is. Its duties are the duties app's to add: `duties.models.profile_duties()`."""
        return self.select_related("region__parent", "seat__parent", "parent").prefetch_related(
            "other_names", "contacts", "office_hours", "special_days", "sources",
        )

    def with_listing(self, query: str = "") -> AgencyQuerySet:
        """What a search result shows: names, region and special days for the status badge (the weekly
        rules are the row's own `weekly_hours`: `agencies.opening.listed_status`) and, for a query, the
        places and contacts that can say why the agency was found (`match_prefetches`)."""
        lookups = [Prefetch("special_days", to_attr="listing_special_days")]
        related = ["region__parent"]
        if query:
            lookups += match_prefetches()  # duty texts come as plain rows: search.highlight.attach_duty_texts
            related.append("seat")
        return self.select_related(*related).prefetch_related(*lookups)


def match_prefetches() -> list[Prefetch]:
    """What `search.highlight.match_reasons` reads of a listed agency besides its row and regions: its
    other names and contacts, as plain lists (`listing_other_names`, `listing_contacts`). A list, not a
    related manager per agency: for a page of 20, Django's managers cost more than the two queries."""
    return [Prefetch("other_names", to_attr="listing_other_names"), Prefetch("contacts", to_attr="listing_contacts")]


_SLUG_MARK = "agency-slug-mark"


@functools.lru_cache(maxsize=64)
def _agency_url(language: str | None, script_prefix: str) -> str:
    return reverse("site:agency", kwargs={"slug": _SLUG_MARK})


class RegionTally(models.Model):
    """Published agencies per four-digit region-code prefix (a prefecture-level city with its counties),
    kept by database triggers on every write (agencies/tallies.py): the regions page reads ~1,700 rows
    instead of counting every agency. Derived, never edited."""

    prefix = models.CharField(max_length=4, primary_key=True)
    published = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}: {self.published}"


class AgencyManager(models.Manager.from_queryset(AgencyQuerySet)):
    def get_by_natural_key(self, slug: str) -> Agency:
        return self.get(slug=slug)

    def published_count(self) -> int:
        """How many agencies are published: the sum of the per-city tallies the database keeps (every
        agency has a region), ~1,700 rows instead of a count over 100,000 agencies."""
        return RegionTally.objects.aggregate(total=models.Sum("published"))["total"] or 0

    def page_with_listing(self, page: AgencyQuerySet | list[int], query: str = "") -> list[Agency]:
        """One page of results (a sliced queryset, or ids in result order) loaded `with_listing`."""
        if isinstance(page, models.QuerySet):
            return list(page.with_listing(query))
        by_pk = self.filter(pk__in=page).with_listing(query).in_bulk()
        return [by_pk[pk] for pk in page if pk in by_pk]


class Agency(Localized, models.Model):
    class Level(models.TextChoices):
        PROVINCIAL_DEPARTMENT = "provincial_department", _("Provincial department")
        MUNICIPAL_BUREAU = "municipal_bureau", _("Municipal bureau")
        COUNTY_BUREAU = "county_bureau", _("County bureau")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    slug = models.SlugField(
        max_length=100, unique=True, help_text="Stable identifier used in URLs, imports and the API."
    )
    name = models.CharField(max_length=255, help_text="Official English name, as published.")
    name_zh = models.CharField(max_length=255, blank=True, help_text="Official Chinese name, e.g. 浙江省科学技术厅.")
    level = models.CharField(max_length=40, choices=Level.choices)
    # An agency outlives reorganisations of regions: deleting a region in use must be refused.
    # db_index=False here and on `parent`: agency_region_listing_idx and agency_parent_name_idx lead with
    # the same column and serve every lookup a single-column index would (one index fewer to write per row).
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies", db_index=False)
    seat = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seated_agencies",
        help_text="City where the agency sits (Lanzhou for Gansu's provincial department).",
    )
    # Deleting a supervising agency must not delete (or silently detach) the bureaus under it.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_index=False,
        help_text="Supervising higher-level agency, only where a page says so (record where in the next field).",
    )
    parent_source = models.CharField(
        max_length=500, blank=True,
        help_text="Where the supervising link is recorded: the page (address or title) and its words. "
                  "The public profile names a supervising agency only with this filled in.",
    )
    rank = models.CharField(
        max_length=120, blank=True, help_text="Administrative rank where published, e.g. director-general level."
    )
    description = models.TextField(blank=True, help_text="Short description, verbatim from the source.")
    website = models.URLField(blank=True, help_text="Official website as published.")
    address = models.CharField(max_length=500, blank=True, help_text="Address exactly as published.")
    postcode = models.CharField(
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", "A Chinese postcode is six digits.")],
    )
    timezone = models.CharField(
        max_length=64, default="Asia/Shanghai", validators=[validate_timezone], help_text="IANA time zone."
    )
    hours_as_published = models.TextField(
        blank=True, help_text="The office hours exactly as the page words them (quoted on the profile, marked English)."
    )
    hours_notes = models.TextField(
        blank=True, help_text="How the published hours were interpreted, in English (shown to citizens)."
    )
    hours_notes_zh = models.TextField(blank=True, help_text="The same note in Chinese, for the Chinese pages.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    last_verified = models.DateField(
        null=True, blank=True, help_text="When staff last checked the record against the source."
    )
    is_synthetic = models.BooleanField(
        default=False, editable=False, help_text="Generated for benchmarks; never real data."
    )
    version = models.PositiveIntegerField(default=1, editable=False, help_text="Optimistic-locking counter.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Derived, never written by hand: the database's triggers (agencies/opening.py) keep it equal to the
    # agency's weekly office-hours rules, whatever writes them; "open at" asks one question per distinct
    # set of rules instead of one per agency.
    weekly_hours = models.TextField(default="", blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["weekly_hours"])

    objects = AgencyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"
        indexes = [
            models.Index(fields=["status", "name"]),
            # Covers the API's validator aggregate (count and latest change of published agencies).
            models.Index(fields=["status", "updated_at"], name="agency_status_updated_idx"),
            # A profile's children, by name: without it SQLite walks every published agency.
            models.Index(fields=["parent", "name"], name="agency_parent_name_idx"),
            # A region and everything below it (`in_region`): counted, and its page of names found and
            # ordered, from this index alone (a province has thousands of bureaus).
            models.Index(fields=["region", "status", "name", "id"], name="agency_region_listing_idx"),
            # Which of a search window's thousand ids are published (`search.engine`), from the index
            # alone: on PostgreSQL the primary key's index fetched every row for its status (3.6-7 ms
            # for a common word at 100,000 agencies, against 1.7 ms for an index-only scan of this one).
            models.Index(fields=["id"], condition=Q(status="published"), name="agency_published_id_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="agency_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # Lists ask this of every agency: reverse() once per language and script prefix (~25 µs a call),
        # then the slug in its place (a slug's characters need no quoting).
        return _agency_url(get_language(), get_script_prefix()).replace(_SLUG_MARK, self.slug)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    #: longest chain of supervising agencies (ministry-free: province → city → county, with room to spare)
    MAX_DEPTH = 10

    def clean(self) -> None:
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": "An agency cannot supervise itself."})
        if self.parent_id and self.pk:
            node, steps = self.parent, 0
            while node is not None and steps < self.MAX_DEPTH:
                if node.parent_id == self.pk:
                    raise ValidationError({"parent": f"{self.parent} is supervised by this agency: "
                                                     "supervision would go in a circle."})
                node, steps = node.parent, steps + 1

    @property
    def published_parent(self) -> Agency | None:
        """The supervising agency for public pages: a draft is never named publicly, so it is absent."""
        parent = self.parent
        return parent if parent is not None and parent.status == Agency.Status.PUBLISHED else None

    @property
    def recorded_parent(self) -> Agency | None:
        """The supervising agency the profile names: published, and the link recorded from a source
        (facts come from the pages; the region hierarchy alone says nothing about supervision)."""
        return self.published_parent if self.parent_source.strip() else None

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_stale(self, today: dt.date | None = None) -> bool:
        today = today or timezone.now().date()
        return self.last_verified is None or self.last_verified < today - dt.timedelta(days=365)


class AgencyName(Localized, models.Model):
    """Another name the agency also serves as (Gansu: Gansu Provincial Foreign Experts Bureau)."""

    # No index of its own: agencyname_unique (agency, name) leads with it.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="other_names", db_index=False)
    name = models.CharField(max_length=255)
    name_zh = models.CharField(max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="agencyname_unique")]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    class Kind(models.TextChoices):
        OFFICE = "office", _("Office telephone")
        ENQUIRIES = "enquiries", _("Public enquiries")
        SUPERVISION = "supervision", _("Supervision telephone")
        COMPLAINTS = "complaints", _("Complaints telephone")
        FAX = "fax", _("Fax")
        EMAIL = "email", _("Email")
        WEBSITE = "website", _("Website")

    PHONE_KINDS = {Kind.OFFICE, Kind.ENQUIRIES, Kind.SUPERVISION, Kind.COMPLAINTS, Kind.FAX}

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="contacts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    label = models.CharField(max_length=120, help_text="Label exactly as published, e.g. 'Supervision Telephone'.")
    value = models.CharField(max_length=255, help_text="Number, address or URL exactly as published.")
    e164 = models.CharField(
        max_length=20, blank=True, editable=False, help_text="Normalized phone number, filled automatically."
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["office", "enquiries", "supervision", "complaints", "fax"]) | ~Q(e164=""),
                name="contact_phone_has_e164",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"

    def save(self, *args, **kwargs) -> None:
        # Keep e164 derived from the published text even for writes that skip full_clean().
        if self.is_phone and self.value:
            self.e164 = to_e164(self.value)
        super().save(*args, **kwargs)

    @property
    def is_phone(self) -> bool:
        return self.kind in self.PHONE_KINDS

    def clean(self) -> None:
        value = (self.value or "").strip()
        if self.is_phone:
            if not value:
                raise ValidationError({"value": "A phone number is required."})
            try:
                self.e164 = to_e164(value)
            except ValidationError as error:
                raise ValidationError({"value": error.messages}) from None
        else:
            self.e164 = ""
            if self.kind == self.Kind.EMAIL:
                try:
                    validate_email(value)
                except ValidationError:
                    raise ValidationError({"value": f"'{value}' is not a valid email address."}) from None
            elif self.kind == self.Kind.WEBSITE:
                try:
                    URLValidator()(value)
                except ValidationError:
                    raise ValidationError({"value": f"'{value}' is not a valid web address."}) from None


class Season:
    """A month-day range that may wrap the year end (1 Oct – 30 Jun)."""

    def __init__(self, start: str, end: str):
        self.start = parse_month_day(start)
        self.end = parse_month_day(end)

    def contains(self, day: dt.date) -> bool:
        key = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= key <= self.end
        return key >= self.start or key <= self.end

    def days(self) -> set[tuple[int, int]]:
        leap_year = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(366)]
        return {(d.month, d.day) for d in leap_year if self.contains(d)}


ALL_YEAR = ("01-01", "12-31")


class OfficeHours(models.Model):
    """One opening interval on some weekdays, optionally only within a season.

    A day with a lunch break is two rows (08:30–12:00 and 14:30–18:00)."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="office_hours")
    weekdays = models.CharField(
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{1,7}$", "Weekdays are digits 1 (Monday) to 7 (Sunday), e.g. 12345.")],
        help_text="ISO weekdays the interval applies to: 1 = Monday … 7 = Sunday; '12345' is Monday–Friday.",
    )
    opens = models.TimeField()
    closes = models.TimeField()
    season_name = models.CharField(max_length=60, blank=True, help_text="As published, e.g. 'Summer'.")
    season_name_zh = models.CharField(max_length=60, blank=True)
    valid_from = models.CharField(
        max_length=5, blank=True, validators=[validate_month_day],
        help_text="First day of the season, MM-DD (e.g. 07-01). Leave both empty for all year.",
    )
    valid_through = models.CharField(
        max_length=5, blank=True, validators=[validate_month_day],
        help_text="Last day of the season, MM-DD (e.g. 09-30); may be before valid_from to wrap the year end.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "valid_from", "weekdays", "opens"]
        verbose_name_plural = "office hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="officehours_closes_after_opens"),
            models.CheckConstraint(
                condition=(Q(valid_from="") & Q(valid_through="")) | (~Q(valid_from="") & ~Q(valid_through="")),
                name="officehours_season_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekdays} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def weekday_set(self) -> set[int]:
        return {int(ch) for ch in self.weekdays}

    @property
    def season(self) -> Season:
        if self.valid_from and self.valid_through:
            return Season(self.valid_from, self.valid_through)
        return Season(*ALL_YEAR)

    @property
    def is_seasonal(self) -> bool:
        return bool(self.valid_from)

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.weekdays:
            self.weekdays = "".join(sorted(set(self.weekdays)))
        if self.opens and self.closes and self.closes <= self.opens:
            errors.setdefault("closes", []).append("Closing time must be after opening time.")
        if bool(self.valid_from) != bool(self.valid_through):
            errors.setdefault("valid_through", []).append("Give both ends of the season, or neither.")
        for field in ("valid_from", "valid_through"):
            value = getattr(self, field)
            if value:
                try:
                    parse_month_day(value)
                except ValidationError as error:
                    errors.setdefault(field, []).extend(error.messages)
        if errors:
            raise ValidationError(errors)
        if self.agency_id:
            siblings = OfficeHours.objects.filter(agency_id=self.agency_id).exclude(pk=self.pk)
            clash = self.first_overlap(siblings)
            if clash is not None:
                raise ValidationError(
                    f"Overlaps {clash} on the same day and season; intervals of one day must not overlap."
                )

    def overlaps(self, other: OfficeHours) -> bool:
        if not (self.weekday_set & other.weekday_set):
            return False
        if not (self.season.days() & other.season.days()):
            return False
        return self.opens < other.closes and other.opens < self.closes

    def first_overlap(self, others) -> OfficeHours | None:
        return next((other for other in others if self.overlaps(other)), None)


class SpecialDay(models.Model):
    """An agency's own exception for one date: closed, or different hours (one row per interval)."""

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Closed")
        HOURS = "hours", _("Changed hours")

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="special_days")
    date = models.DateField()
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    opens = models.TimeField(null=True, blank=True)
    closes = models.TimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Shown to citizens, e.g. 'Office move'.")
    reason_zh = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "date", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="closed") & Q(opens__isnull=True) & Q(closes__isnull=True))
                | (Q(kind="hours") & Q(opens__isnull=False) & Q(closes__gt=models.F("opens"))),
                name="specialday_times_match_kind",
            ),
            models.UniqueConstraint(
                fields=["agency", "date"], condition=Q(kind="closed"), name="specialday_one_closure_per_date"
            ),
        ]

    def __str__(self) -> str:
        if self.kind == self.Kind.CLOSED:
            return f"{self.date}: closed"
        return f"{self.date}: {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.kind == self.Kind.CLOSED:
            if self.opens or self.closes:
                raise ValidationError("A closed day has no opening hours; choose 'Changed hours' instead.")
            return
        if not self.opens or not self.closes:
            raise ValidationError("Changed hours need both an opening and a closing time.")
        if self.closes <= self.opens:
            raise ValidationError({"closes": "Closing time must be after opening time."})
        if self.agency_id and self.date:
            same_day = SpecialDay.objects.filter(agency_id=self.agency_id, date=self.date).exclude(pk=self.pk)
            if same_day.filter(kind=self.Kind.CLOSED).exists():
                raise ValidationError({"date": "This date is already marked closed."})
            for other in same_day.filter(kind=self.Kind.HOURS):
                if self.opens < other.closes and other.opens < self.closes:
                    raise ValidationError(f"Overlaps {other}.")


class PublicHoliday(Localized, models.Model):
    """A staff entry in the national calendar: it overrides or adds to the `holidays` package.

    Use it for a year the State Council has not announced yet, or to correct the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (offices closed)")
        WORKDAY = "workday", _("Make-up workday (offices open)")

    date = models.DateField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=120, help_text="English name, e.g. National Day.")
    name_zh = models.CharField(max_length=120, blank=True, help_text="Chinese name, e.g. 国庆节.")
    notice = models.URLField(blank=True, help_text="Link to the State Council notice, if any.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name} ({self.kind})"


class Source(models.Model):
    """Where a record came from: the published page, its own date, translator, retrieval."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="sources")
    title = models.CharField(max_length=255, help_text="Page title as published.")
    url = models.URLField(
        blank=True, help_text="The page's own address, only where it is known (not a portal the page credits)."
    )
    origin = models.CharField(
        max_length=255, blank=True,
        help_text="The source line the page itself prints, as published (e.g. “Source: http://www.huaihua.gov.cn/”, "
                  "the city portal): its publisher or origin, not the page's address.",
    )
    page_date = models.DateField(null=True, blank=True, help_text="The page's own date (published/updated).")
    translator = models.CharField(max_length=120, blank=True, help_text="Translator credit, where given.")
    retrieved_at = models.DateField(null=True, blank=True, help_text="When the page was retrieved, if recorded.")
    reference = models.CharField(
        max_length=255, blank=True, help_text="Where the copy we worked from is kept (e.g. the seed file)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agency", "-page_date", "id"]

    def __str__(self) -> str:
        return self.title


class AgencyAssignment(models.Model):
    """Gives a member of the "Agency editors" group the right to edit one agency and its records."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_assignments")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="assignments")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "agency"]
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="agencyassignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.agency}"


class ImportBatch(models.Model):
    """One confirmed import. Its history records carry the change reason `import #<id>`, so the
    whole import can be reviewed and undone together."""

    resource = models.CharField(max_length=60, help_text="What was imported, e.g. 'contacts'.")
    file_name = models.CharField(max_length=255, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    # Keep the record of an import even when the account that ran it is removed.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"Import #{self.pk}: {self.resource} ({self.file_name})"

    @property
    def change_reason(self) -> str:
        return f"import #{self.pk}"
