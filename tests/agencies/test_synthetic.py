"""The synthetic benchmark dataset: right size, clearly marked, valid, and apart from real data."""
import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, Contact, Region
from agencies.phones import to_e164
from duties.models import Duty
from portal.synthetic import shape_for


@pytest.mark.parametrize("size", [3300, 100_000, 5])
def test_shape_has_room_for_the_requested_size(size):
    assert shape_for(size).total >= size


def test_generator_creates_exactly_n_marked_agencies_beside_the_seed(seed):
    call_command("generate_synthetic", agencies=40, duties=3, verbosity=0)
    synthetic = Agency.objects.filter(is_synthetic=True)
    assert synthetic.count() == 40
    assert Agency.objects.filter(is_synthetic=False).count() == 5
    assert all(name.startswith("Synthetic") for name in synthetic.values_list("name", flat=True))
    assert not Region.objects.filter(is_synthetic=True, code__lt="830000").exists()
    assert Duty.objects.filter(agency__is_synthetic=True).count() == 120
    for contact in Contact.objects.filter(agency__is_synthetic=True)[:30]:
        assert to_e164(contact.value) == contact.e164
    counties = synthetic.filter(level="county_bureau")
    assert counties.exists() and not counties.filter(parent__isnull=True).exists()
    regions = Region.objects.filter(is_synthetic=True)
    assert not regions.exclude(level="province").filter(parent__isnull=True).exists()
    assert all(r.code.startswith(r.parent.code[:2]) for r in regions.exclude(level="province").select_related("parent"))


def test_generator_refuses_to_double_up_without_replace(db):
    call_command("generate_synthetic", agencies=3, duties=1, verbosity=0)
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_synthetic", agencies=3, duties=1, verbosity=0)
    call_command("generate_synthetic", agencies=4, duties=1, replace=True, verbosity=0)
    assert Agency.objects.filter(is_synthetic=True).count() == 4


def test_the_generator_leaves_fresh_planner_statistics(db):
    """Plans at national scale depend on statistics; a bulk load must not leave the planner guessing."""
    from django.db import connection

    call_command("generate_synthetic", agencies=40, duties=2, verbosity=0)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'agencies_agency' AND idx IS NOT NULL")
            assert cursor.fetchall()
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'agencies_agency'")
            assert cursor.fetchone()[0] >= 40
