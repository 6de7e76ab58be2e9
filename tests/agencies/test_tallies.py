"""The published agencies per city (agencies/tallies.py) are kept by the database through every kind of
write, and the regions page reads them."""
import pytest
from django.db import connection
from django.db.models import Count
from django.db.models.functions import Substr

from agencies import tallies
from agencies.models import Agency, Region, RegionTally
from tests.factories import AgencyFactory, RegionFactory


def counted() -> dict[str, int]:
    """The tally's answer the slow way: a count over every published agency."""
    rows = (Agency.objects.published().order_by().annotate(prefix=Substr("region__code", 1, 4))
            .values("prefix").annotate(n=Count("id")).values_list("prefix", "n"))
    return dict(rows)


def tally() -> dict[str, int]:
    return dict(RegionTally.objects.exclude(published=0).values_list("prefix", "published"))


@pytest.mark.django_db
def test_the_tally_follows_every_kind_of_write():
    """Saves, bulk inserts, queryset updates of status and region, raw SQL, a region's new code,
    deletes (one and many): after each, the tally is the count."""
    hangzhou = RegionFactory(code="330100", level=Region.Level.PREFECTURE)
    xihu = RegionFactory(code="330106", level=Region.Level.COUNTY, parent=hangzhou)
    lanzhou = RegionFactory(code="620100", level=Region.Level.PREFECTURE)

    first = AgencyFactory(region=hangzhou)
    draft = AgencyFactory(region=xihu, status=Agency.Status.DRAFT)
    assert tally() == counted() == {"3301": 1}
    Agency.objects.bulk_create([
        Agency(slug=f"bulk-{n}", name=f"Bulk Bureau {n}", level=Agency.Level.COUNTY_BUREAU, region=xihu,
               status=Agency.Status.PUBLISHED)
        for n in range(3)
    ] + [Agency(slug="bulk-lanzhou", name="Bulk Lanzhou", level=Agency.Level.MUNICIPAL_BUREAU, region=lanzhou,
                status=Agency.Status.PUBLISHED)])
    assert tally() == counted() == {"3301": 4, "6201": 1}
    draft.status = Agency.Status.PUBLISHED  # published by a form
    draft.save()
    assert tally() == counted() == {"3301": 5, "6201": 1}
    Agency.objects.filter(slug__startswith="bulk-").exclude(region=lanzhou).update(status=Agency.Status.DRAFT)
    assert tally() == counted() == {"3301": 2, "6201": 1}
    Agency.objects.filter(pk=first.pk).update(region=lanzhou)  # moved
    assert tally() == counted() == {"3301": 1, "6201": 2}
    first.name = "Renamed: the tally stays as it was"
    Agency.objects.filter(pk=first.pk).update(name=first.name)
    assert tally() == counted()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agencies_agency SET status = 'draft' WHERE slug = %s", ["bulk-lanzhou"])
    assert tally() == counted() == {"3301": 1, "6201": 1}
    Region.objects.filter(pk=lanzhou.pk).update(code="620200")  # a region's code corrected
    assert tally() == counted() == {"3301": 1, "6202": 1}
    draft.delete()
    assert tally() == counted() == {"6202": 1}
    Agency.objects.all().delete()
    assert tally() == counted() == {}


@pytest.mark.django_db
def test_saving_a_region_counts_again_only_when_its_code_changed():
    hangzhou = RegionFactory(code="330100", level=Region.Level.PREFECTURE)
    AgencyFactory(region=hangzhou)
    RegionTally.objects.filter(prefix="3301").update(published=99)  # a marker: a recount would put it right
    hangzhou.name = "Hangzhou (renamed)"
    hangzhou.save()  # writes every column, the code among them, unchanged
    assert tally() == {"3301": 99}
    hangzhou.code = "330200"
    hangzhou.save()
    assert tally() == counted() == {"3302": 1}


@pytest.mark.django_db
def test_refresh_counts_from_scratch():
    AgencyFactory(region=RegionFactory(code="520100", level=Region.Level.PREFECTURE))
    RegionTally.objects.all().delete()
    assert tally() == {}
    tallies.refresh()
    assert tally() == counted() == {"5201": 1}


@pytest.mark.django_db
def test_the_regions_page_counts_from_the_tally(client, django_assert_max_num_queries):
    gansu = RegionFactory(code="620000", name="Gansu", level=Region.Level.PROVINCE)
    lanzhou = RegionFactory(code="620100", name="Lanzhou", level=Region.Level.PREFECTURE, parent=gansu)
    chengguan = RegionFactory(code="620102", name="Chengguan", level=Region.Level.COUNTY, parent=lanzhou)
    AgencyFactory(region=lanzhou)
    AgencyFactory(region=chengguan)
    AgencyFactory(region=chengguan, status=Agency.Status.DRAFT)
    with django_assert_max_num_queries(4):  # version, tally, provinces, cities: no count over the agencies
        body = client.get("/regions/").content.decode()
    assert '<span class="count">(2)</span>' in body
    RegionTally.objects.filter(prefix="6201").update(published=7)  # the page says what the tally says
    Agency.objects.filter(status=Agency.Status.DRAFT).update(name="moves the content version")
    assert '<span class="count">(7)</span>' in client.get("/regions/").content.decode()


@pytest.mark.django_db
def test_after_a_flush_or_migrate_the_tally_is_counted_again(seed):
    """`flush` sends post_migrate once the tables are empty. On SQLite it deletes them one by one in an
    order that varies between runs: where the tally goes before the agencies, their delete triggers leave
    it at minus one per published bureau, and the next seed's bureaus then sum to nothing. post_migrate
    counts again."""
    from django.core.management.sql import emit_post_migrate_signal

    RegionTally.objects.update(published=-1)  # what such a flush leaves behind
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    assert tally() == counted() and sum(tally().values()) == 5
    assert Agency.objects.published_count() == Agency.objects.published().count() == 5
