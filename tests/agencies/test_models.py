"""Domain rules live in the model layer: clean() for forms/imports, constraints for everything else."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from agencies.models import Agency, Contact, OfficeHours, Region, SpecialDay
from agencies.phones import national_format, to_e164
from duties.models import Duty
from tests.factories import (
    AgencyFactory,
    ContactFactory,
    DutyFactory,
    OfficeHoursFactory,
    RegionFactory,
    SpecialDayFactory,
)


@pytest.mark.parametrize(
    ("published", "e164"),
    [
        ("(0571) 87056409", "+8657187056409"),
        ("(0571)87054007", "+8657187054007"),
        ("00-86-0931-8834621", "+869318834621"),
        ("0931-8834621", "+869318834621"),
        ("0745-2712900", "+867452712900"),
        ("+86 571 8705 6409", "+8657187056409"),
    ],
)
def test_published_numbers_normalize_to_e164(published, e164):
    assert to_e164(published) == e164


@pytest.mark.parametrize("published", ["0571-123", "call us", "", "12345678901234567890"])
def test_unparseable_numbers_are_rejected_with_the_value_in_the_message(published):
    with pytest.raises(ValidationError) as error:
        to_e164(published)
    if published:
        assert published in error.value.messages[0]


def test_national_format_is_what_a_caller_in_china_dials():
    assert national_format("+8657187056409") == "0571 8705 6409"


@pytest.mark.django_db
class TestContact:
    def test_full_clean_fills_e164_and_keeps_the_published_text(self):
        contact = ContactFactory.build(agency=AgencyFactory(), value="(0571) 87056409")
        contact.full_clean()
        assert (contact.value, contact.e164) == ("(0571) 87056409", "+8657187056409")

    def test_invalid_phone_is_a_validation_error_on_value(self):
        contact = ContactFactory.build(agency=AgencyFactory(), value="0571-123")
        with pytest.raises(ValidationError) as error:
            contact.full_clean()
        assert "'0571-123' is not a valid number." in error.value.message_dict["value"]

    def test_email_and_website_are_validated_and_have_no_e164(self):
        agency = AgencyFactory()
        email = Contact(agency=agency, kind=Contact.Kind.EMAIL, label="Email", value="webmaster@zjinfo.gov.cn")
        email.full_clean()
        assert email.e164 == ""
        with pytest.raises(ValidationError):
            Contact(agency=agency, kind=Contact.Kind.EMAIL, label="Email", value="not-an-email").full_clean()

    def test_phone_without_e164_violates_the_database_constraint(self):
        agency = AgencyFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Contact.objects.bulk_create([Contact(agency=agency, kind="office", label="x", value="x", e164="")])


@pytest.mark.django_db
class TestOfficeHours:
    def test_closing_before_opening_fails_clean_and_the_constraint(self):
        hours = OfficeHours(agency=AgencyFactory(), opens=dt.time(12), closes=dt.time(8, 30))
        with pytest.raises(ValidationError) as error:
            hours.full_clean()
        assert "Closing time must be after opening time." in error.value.message_dict["closes"]
        with pytest.raises(IntegrityError), transaction.atomic():
            hours.save()

    def test_overlapping_intervals_on_the_same_day_and_season_are_rejected(self):
        agency = AgencyFactory()
        OfficeHoursFactory(agency=agency, weekdays="12345", opens=dt.time(8, 30), closes=dt.time(12))
        clash = OfficeHours(agency=agency, weekdays="5", opens=dt.time(11), closes=dt.time(13))
        with pytest.raises(ValidationError, match="Overlaps"):
            clash.full_clean()

    def test_same_interval_in_disjoint_seasons_is_allowed(self):
        agency = AgencyFactory()
        OfficeHoursFactory(agency=agency, opens=dt.time(8), closes=dt.time(12), valid_from="07-01",
                           valid_through="09-30")
        winter = OfficeHours(agency=agency, weekdays="12345", opens=dt.time(8), closes=dt.time(12),
                             valid_from="10-01", valid_through="06-30")
        winter.full_clean()

    def test_wrapping_season_overlapping_another_is_rejected(self):
        agency = AgencyFactory()
        OfficeHoursFactory(agency=agency, opens=dt.time(8), closes=dt.time(12), valid_from="12-01",
                           valid_through="02-28")
        january = OfficeHours(agency=agency, weekdays="1", opens=dt.time(9), closes=dt.time(10),
                              valid_from="01-15", valid_through="01-20")
        with pytest.raises(ValidationError, match="Overlaps"):
            january.full_clean()

    @pytest.mark.parametrize("bad", ["13-01", "02-30", "7-1", "07/01", "00-10"])
    def test_invalid_month_days_are_rejected(self, bad):
        hours = OfficeHours(agency=AgencyFactory(), opens=dt.time(8), closes=dt.time(9), valid_from=bad,
                            valid_through="09-30")
        with pytest.raises(ValidationError) as error:
            hours.full_clean()
        assert "valid_from" in error.value.message_dict

    def test_half_a_season_fails_clean_and_the_constraint(self):
        hours = OfficeHours(agency=AgencyFactory(), opens=dt.time(8), closes=dt.time(9), valid_from="07-01")
        with pytest.raises(ValidationError):
            hours.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            hours.save()

    @pytest.mark.parametrize("bad", ["0", "8", "mon", "", "12a"])
    def test_weekdays_must_be_iso_digits(self, bad):
        hours = OfficeHours(agency=AgencyFactory(), weekdays=bad, opens=dt.time(8), closes=dt.time(9))
        with pytest.raises(ValidationError):
            hours.full_clean()


@pytest.mark.django_db
class TestSpecialDay:
    def test_closed_day_with_times_fails_clean_and_constraint(self):
        day = SpecialDay(agency=AgencyFactory(), date=dt.date(2026, 12, 1), kind="closed", opens=dt.time(9),
                         closes=dt.time(10))
        with pytest.raises(ValidationError):
            day.full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            day.save()

    def test_changed_hours_need_both_times(self):
        day = SpecialDay(agency=AgencyFactory(), date=dt.date(2026, 12, 1), kind="hours", opens=dt.time(9))
        with pytest.raises(ValidationError):
            day.full_clean()

    def test_one_closure_per_date(self):
        first = SpecialDayFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            SpecialDay.objects.create(agency=first.agency, date=first.date, kind="closed")


@pytest.mark.django_db
class TestUniqueness:
    def test_slug_is_unique_in_clean_and_in_the_database(self):
        existing = AgencyFactory(slug="dup")
        twin = AgencyFactory.build(slug="dup", region=existing.region)
        with pytest.raises(ValidationError) as error:
            twin.full_clean()
        assert "slug" in error.value.message_dict
        with pytest.raises(IntegrityError), transaction.atomic():
            twin.save()

    def test_region_code_is_unique_and_six_digits(self):
        RegionFactory(code="330000")
        with pytest.raises(IntegrityError), transaction.atomic():
            Region.objects.create(code="330000", name="Again", level="province")
        with pytest.raises(ValidationError):
            Region(code="33", name="Short", level="province").full_clean()
        with pytest.raises(IntegrityError), transaction.atomic():
            Region.objects.create(code="33", name="Short", level="province")

    def test_city_needs_a_parent_and_province_has_none(self):
        with pytest.raises(ValidationError):
            Region(code="330100", name="Hangzhou", level="prefecture").full_clean()
        province = RegionFactory(code="330000")
        with pytest.raises(ValidationError):
            Region(code="340000", name="X", level="province", parent=province).full_clean()

    def test_duty_positions_are_unique_per_agency_and_per_parent(self):
        duty = DutyFactory(position=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Duty.objects.create(agency=duty.agency, position=1, label="(1)", text="x")
        Duty.objects.create(agency=duty.agency, parent=duty, position=1, label="(i)", text="x")
        with pytest.raises(IntegrityError), transaction.atomic():
            Duty.objects.create(agency=duty.agency, parent=duty, position=1, label="(ii)", text="y")

    def test_sub_item_of_another_agency_is_rejected(self):
        duty = DutyFactory()
        other = AgencyFactory()
        stray = Duty(agency=other, parent=duty, position=1, label="(i)", text="x")
        with pytest.raises(ValidationError):
            stray.full_clean()

    def test_invalid_timezone_is_rejected(self):
        agency = AgencyFactory.build(region=RegionFactory(), timezone="Mars/Olympus")
        with pytest.raises(ValidationError) as error:
            agency.full_clean()
        assert "timezone" in error.value.message_dict


@pytest.mark.django_db
class TestQuerySets:
    def test_published_hides_drafts(self):
        AgencyFactory(slug="live")
        AgencyFactory(slug="draft", status=Agency.Status.DRAFT)
        assert list(Agency.objects.published().values_list("slug", flat=True)) == ["live"]

    def test_in_region_includes_sub_regions(self):
        province = RegionFactory(code="330000", level="province")
        city = RegionFactory(code="330300", level="prefecture", parent=province)
        other = RegionFactory(code="620000", level="province")
        AgencyFactory(slug="province", region=province)
        AgencyFactory(slug="city", region=city)
        AgencyFactory(slug="elsewhere", region=other)
        assert set(Agency.objects.in_region(province).values_list("slug", flat=True)) == {"province", "city"}
        assert set(Agency.objects.in_region(city).values_list("slug", flat=True)) == {"city"}

    def test_needs_review_lists_never_and_over_a_year_ago(self):
        today = dt.date(2026, 11, 22)
        AgencyFactory(slug="fresh", last_verified=dt.date(2026, 6, 1))
        AgencyFactory(slug="stale", last_verified=dt.date(2025, 11, 1))
        AgencyFactory(slug="never", last_verified=None)
        assert set(Agency.objects.needs_review(today).values_list("slug", flat=True)) == {"stale", "never"}


@pytest.mark.django_db
def test_an_agency_url_is_the_reversed_url_in_every_language_and_script_prefix():
    from django.urls import reverse, set_script_prefix
    from django.utils import translation

    agency = AgencyFactory(slug="huaihua-science-bureau-2")
    for language in ("en", "zh-hans"):
        for prefix in ("/", "/portal/"):
            set_script_prefix(prefix)
            try:
                with translation.override(language):
                    expected = reverse("site:agency", kwargs={"slug": agency.slug})
                    assert agency.get_absolute_url() == expected
                    assert expected.startswith(prefix) and expected.endswith("/huaihua-science-bureau-2/")
            finally:
                set_script_prefix("/")
