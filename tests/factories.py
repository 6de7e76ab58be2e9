"""factory_boy factories with keyword knobs: AgencyFactory(duties=3, hours=True, contacts=2)."""
import datetime as dt

import factory
from django.utils import timezone

from agencies.models import Agency, AgencyName, Contact, OfficeHours, PublicHoliday, Region, Source, SpecialDay
from duties.models import Duty, DutyCategory


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{900000 + n * 100:06d}"[:6])
    name = factory.Sequence(lambda n: f"Testregion {n}")
    name_zh = factory.Sequence(lambda n: f"测试区{n}")
    level = Region.Level.PROVINCE
    parent = None


class DutyCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyCategory
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")
    name_zh = factory.Sequence(lambda n: f"类别{n}")
    position = factory.Sequence(lambda n: n)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"test-bureau-{n}")
    name = factory.Sequence(lambda n: f"Test Science Bureau {n}")
    name_zh = factory.Sequence(lambda n: f"测试科学技术局{n}")
    level = Agency.Level.MUNICIPAL_BUREAU
    region = factory.SubFactory(RegionFactory)
    status = Agency.Status.PUBLISHED
    last_verified = factory.LazyFunction(lambda: timezone.now().date())

    @factory.post_generation
    def duties(self, create, extracted, **kwargs):
        if create and extracted:
            category = DutyCategoryFactory()
            for position in range(1, int(extracted) + 1):
                Duty.objects.create(
                    agency=self, position=position, label=f"({position})",
                    text=f"Duty number {position} of {self.name}.",
                ).categories.set([category])

    @factory.post_generation
    def contacts(self, create, extracted, **kwargs):
        if create and extracted:
            for position in range(int(extracted)):
                Contact.objects.create(
                    agency=self, kind=Contact.Kind.OFFICE, label="Office",
                    value=f"0571-8705{position:04d}", position=position,
                )

    @factory.post_generation
    def hours(self, create, extracted, **kwargs):
        """hours=True gives Monday–Friday 08:30–12:00 and 14:30–18:00."""
        if create and extracted:
            OfficeHours.objects.create(agency=self, weekdays="12345", opens=dt.time(8, 30), closes=dt.time(12))
            OfficeHours.objects.create(agency=self, weekdays="12345", opens=dt.time(14, 30), closes=dt.time(18))


class AgencyNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyName

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    agency = factory.SubFactory(AgencyFactory)
    kind = Contact.Kind.OFFICE
    label = "Office"
    value = "0571-87056409"


class OfficeHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficeHours

    agency = factory.SubFactory(AgencyFactory)
    weekdays = "12345"
    opens = dt.time(9)
    closes = dt.time(17)


class SpecialDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpecialDay

    agency = factory.SubFactory(AgencyFactory)
    date = dt.date(2026, 12, 1)
    kind = SpecialDay.Kind.CLOSED


class PublicHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PublicHoliday

    date = dt.date(2027, 10, 1)
    kind = PublicHoliday.Kind.HOLIDAY
    name = "National Day"
    name_zh = "国庆节"


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    agency = factory.SubFactory(AgencyFactory)
    title = "Test page"


class DutyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Duty
        skip_postgeneration_save = True

    agency = factory.SubFactory(AgencyFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda duty: f"({duty.position})")
    text = "Formulate plans and policies."

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        """`categories=[...]` (an empty list for a duty not yet categorised); one new category by default."""
        if create:
            self.categories.set([DutyCategoryFactory()] if extracted is None else extracted)
