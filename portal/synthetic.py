"""Synthetic national-scale data for benchmarks. Every row is marked synthetic; none is a real bureau.

Synthetic regions use province codes 83–99, which GB/T 2260 leaves unassigned, so they can never be
mistaken for (or collide with) a real division. Names say "Synthetic" in both languages."""
from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction

from agencies.models import Agency, Contact, OfficeHours, Region
from agencies.signals import agencies_bulk_changed, bulk_write
from duties.models import Duty, DutyCategory

FIRST_PROVINCE = 83  # 83..99 are unassigned in GB/T 2260
PROVINCES = 17
AREA_CODES = ["0571", "0577", "0931", "0745", "0851", "0731", "0791", "0551"]
PHRASES = [
    "formulate plans and policies for science and technology development",
    "coordinate basic research and applied basic research",
    "promote the transfer and transformation of scientific and technological achievements",
    "guide regional innovation and the construction of technology parks",
    "organize the evaluation and review of science and technology awards",
    "introduce foreign experts and organize overseas training",
    "cultivate high-tech enterprises and small and medium-sized sci-tech enterprises",
    "supervise the implementation of municipal science and technology plans",
    "establish the science and technology supervision and evaluation system",
    "promote science popularization and science communication",
    "manage scientific data and promote its open sharing",
    "carry out international scientific and technological cooperation",
]


@dataclass(frozen=True)
class Shape:
    provinces: int
    prefectures_per_province: int
    counties_per_prefecture: int

    @property
    def total(self) -> int:
        prefectures = self.provinces * self.prefectures_per_province
        return self.provinces + prefectures + prefectures * self.counties_per_prefecture


def shape_for(agencies: int) -> Shape:
    """A province › prefecture › county tree with at least `agencies` nodes (one agency per region)."""
    if agencies < 1 or agencies > 100_000:
        raise ValueError("agencies must be between 1 and 100,000")
    prefectures = max(1, min(99, round(math.sqrt(max(agencies, 1) / PROVINCES / 3))))
    counties = max(0, math.ceil((agencies - PROVINCES - PROVINCES * prefectures) / (PROVINCES * prefectures)))
    if counties > 99:
        prefectures = 99
        counties = math.ceil((agencies - PROVINCES - PROVINCES * prefectures) / (PROVINCES * prefectures))
    return Shape(PROVINCES, prefectures, min(counties, 99))


def region_rows(shape: Shape, limit: int) -> Iterator[tuple[str, str, str | None]]:
    """(code, level, parent code) in parents-first order, stopping after `limit` regions."""
    emitted = 0
    for p in range(shape.provinces):
        province = f"{FIRST_PROVINCE + p}0000"
        yield province, Region.Level.PROVINCE, None
        emitted += 1
        if emitted >= limit:
            return
    for p in range(shape.provinces):
        for q in range(1, shape.prefectures_per_province + 1):
            yield f"{FIRST_PROVINCE + p}{q:02d}00", Region.Level.PREFECTURE, f"{FIRST_PROVINCE + p}0000"
            emitted += 1
            if emitted >= limit:
                return
    for p in range(shape.provinces):
        for q in range(1, shape.prefectures_per_province + 1):
            for c in range(1, shape.counties_per_prefecture + 1):
                yield f"{FIRST_PROVINCE + p}{q:02d}{c:02d}", Region.Level.COUNTY, f"{FIRST_PROVINCE + p}{q:02d}00"
                emitted += 1
                if emitted >= limit:
                    return


LEVELS = {
    Region.Level.PROVINCE: (Agency.Level.PROVINCIAL_DEPARTMENT, "Department of Science and Technology", "科学技术厅"),
    Region.Level.PREFECTURE: (Agency.Level.MUNICIPAL_BUREAU, "Science and Technology Bureau", "科学技术局"),
    Region.Level.COUNTY: (Agency.Level.COUNTY_BUREAU, "Science and Technology Bureau", "科学技术局"),
}


def synthetic_delete() -> None:
    """Remove earlier synthetic rows (children first; real data is never touched)."""
    with bulk_write():
        ids = list(Agency.objects.filter(is_synthetic=True).values_list("pk", flat=True))
        _synthetic_delete()
    agencies_bulk_changed.send(sender=Agency, agency_ids=ids)


def _synthetic_delete() -> None:
    Duty.objects.filter(agency__is_synthetic=True, parent__isnull=False).delete()
    Duty.objects.filter(agency__is_synthetic=True).delete()
    Contact.objects.filter(agency__is_synthetic=True).delete()
    OfficeHours.objects.filter(agency__is_synthetic=True).delete()
    Agency.objects.filter(is_synthetic=True, parent__isnull=False).update(parent=None)
    Agency.objects.filter(is_synthetic=True).delete()
    for level in (Region.Level.COUNTY, Region.Level.PREFECTURE, Region.Level.PROVINCE):
        Region.objects.filter(is_synthetic=True, level=level).delete()


@transaction.atomic
def synthetic_generate(*, agencies: int, duties_per_agency: int = 15, seed: int = 2026, batch: int = 2000) -> int:
    """Create `agencies` synthetic agencies (one per synthetic region) with duties, contacts and hours."""
    rng = random.Random(seed)
    shape = shape_for(agencies)
    categories = list(DutyCategory.objects.all())
    if not categories:
        categories = [DutyCategory.objects.create(slug="synthetic-general", name="Synthetic category")]

    regions: dict[str, Region] = {}
    rows = list(region_rows(shape, agencies))
    # Level by level, so every parent (region or agency) exists with its pk before its children.
    chunks = [
        [row for row in rows if row[1] == level][start:start + batch]
        for level in (Region.Level.PROVINCE, Region.Level.PREFECTURE, Region.Level.COUNTY)
        for start in range(0, len(rows), batch)
    ]
    for chunk in filter(None, chunks):
        new_regions = [
            Region(code=code, level=level, parent=regions[parent] if parent else None,
                   name=f"Synthetic {level} {code}", name_zh=f"合成{code}", is_synthetic=True)
            for code, level, parent in chunk
        ]
        for region in Region.objects.bulk_create(new_regions):
            regions[region.code] = region

    parents: dict[str, Agency] = {}
    created_ids: list[int] = []
    for chunk in filter(None, chunks):
        new_agencies = []
        for code, level, parent_code in chunk:
            agency_level, suffix, suffix_zh = LEVELS[level]
            new_agencies.append(Agency(
                slug=f"synthetic-{code}", name=f"Synthetic {code} {suffix}", name_zh=f"合成{code}{suffix_zh}",
                level=agency_level, region=regions[code], seat=regions[code],
                parent=parents.get(parent_code) if parent_code else None,
                address=f"{rng.randint(1, 999)} Synthetic Road (synthetic)", postcode=f"{rng.randint(100000, 999999)}",
                status=Agency.Status.PUBLISHED, is_synthetic=True,
                last_verified=dt.date(2026, 1, 1) - dt.timedelta(days=rng.randint(0, 800)),
                description="Synthetic record generated for benchmarks.",
            ))
        saved = Agency.objects.bulk_create(new_agencies)
        for agency in saved:
            if agency.region.level != Region.Level.COUNTY:
                parents[agency.region.code] = agency
        _children(saved, rng, categories, duties_per_agency)
        created_ids += [agency.pk for agency in saved]
    # Bulk writes send no model signals: the search index hears of the new agencies here.
    agencies_bulk_changed.send(sender=Agency, agency_ids=created_ids)
    return len(created_ids)


def _children(agencies: list[Agency], rng: random.Random, categories: list, duties_per_agency: int) -> None:
    contacts, hours, duties = [], [], []
    for agency in agencies:
        area = rng.choice(AREA_CODES)
        digits = 8 if area in {"0571", "0577", "0731", "0791", "0551"} else 7
        for position, (kind, label) in enumerate([("office", "Office"), ("enquiries", "Public Telephone"),
                                                  ("fax", "Fax")], start=1):
            local = "8" + "".join(str(rng.randint(0, 9)) for _ in range(digits - 1))
            contacts.append(Contact(agency=agency, kind=kind, label=label, value=f"{area}-{local}",
                                    e164=f"+86{area[1:]}{local}", position=position))
        style = rng.random()
        if style < 0.1:
            pass  # publishes no hours: open-now is unknown
        elif style < 0.2:
            hours += [
                OfficeHours(agency=agency, opens=dt.time(8), closes=dt.time(12), season_name="Summer",
                            valid_from="07-01", valid_through="09-30"),
                OfficeHours(agency=agency, opens=dt.time(15), closes=dt.time(18), season_name="Summer",
                            valid_from="07-01", valid_through="09-30"),
                OfficeHours(agency=agency, opens=dt.time(8), closes=dt.time(12), season_name="Winter",
                            valid_from="10-01", valid_through="06-30"),
                OfficeHours(agency=agency, opens=dt.time(14, 30), closes=dt.time(17, 30), season_name="Winter",
                            valid_from="10-01", valid_through="06-30"),
            ]
        else:
            hours += [OfficeHours(agency=agency, opens=dt.time(8, 30), closes=dt.time(12)),
                      OfficeHours(agency=agency, opens=dt.time(14, 30), closes=dt.time(18))]
        for position in range(1, duties_per_agency + 1):
            phrase = rng.choice(PHRASES)
            duties.append(Duty(agency=agency, position=position, label=f"({position})",
                               text=f"To {phrase} (synthetic duty {position})."))
    Contact.objects.bulk_create(contacts, batch_size=5000)
    OfficeHours.objects.bulk_create(hours, batch_size=5000)
    Duty.objects.bulk_create(duties, batch_size=5000)
    # One category per duty by position, a second on every fifth (duties may carry several).
    Link = Duty.categories.through
    links = []
    for duty in duties:
        links.append(Link(duty_id=duty.pk, dutycategory_id=categories[duty.position % len(categories)].pk))
        if duty.position % 5 == 0 and len(categories) > 1:
            links.append(Link(duty_id=duty.pk, dutycategory_id=categories[(duty.position + 1) % len(categories)].pk))
    Link.objects.bulk_create(links, batch_size=5000)
