"""Duties: the numbered responsibilities an agency publishes, in order, with nested sub-items."""
from __future__ import annotations

from django.db import models
from django.db.models import Prefetch, ProtectedError, Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from agencies.models import Agency, Localized


class DutyCategoryManager(models.Manager):
    def get_by_natural_key(self, slug: str) -> DutyCategory:
        return self.get(slug=slug)


class DutyCategory(Localized, models.Model):
    """One shared vocabulary across agencies, so bureaus can be compared duty by duty."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    name_zh = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True, help_text="What belongs in this category, for editors.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists and the compare matrix.")
    history = HistoricalRecords()

    objects = DutyCategoryManager()

    class Meta:
        ordering = ["position", "slug"]
        verbose_name_plural = "duty categories"

    def __str__(self) -> str:
        return self.name

    def natural_key(self) -> tuple[str]:
        return (self.slug,)


class DutyQuerySet(models.QuerySet):
    def published(self) -> DutyQuerySet:
        return self.filter(agency__status=Agency.Status.PUBLISHED)

    def top_level(self) -> DutyQuerySet:
        return self.filter(parent__isnull=True)

    def in_category(self, category: DutyCategory) -> DutyQuerySet:
        return self.filter(pk__in=Duty.categories.through.objects.filter(dutycategory=category).values("duty_id"))


class Duty(models.Model):
    # No index of its own: the (agency, position) index below leads with it.
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="duties", db_index=False)
    # Sub-items belong to their item: deleting the item deletes them.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveSmallIntegerField(help_text="Order as published, starting at 1.")
    label = models.CharField(max_length=20, help_text="Label exactly as published: (1), 1., (iii).")
    text = models.TextField(help_text="Full text, verbatim.")
    # A category in use cannot disappear (see protect_categories_in_use): merge categories first.
    categories = models.ManyToManyField(
        DutyCategory, related_name="duties", blank=True,
        help_text="Every category the text plainly speaks of; none while nobody has categorised it yet.",
    )
    history = HistoricalRecords()

    objects = DutyQuerySet.as_manager()

    class Meta:
        ordering = ["agency", "parent_id", "position"]
        verbose_name_plural = "duties"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "position"], condition=Q(parent__isnull=True), name="duty_unique_top_position"
            ),
            models.UniqueConstraint(
                fields=["parent", "position"], condition=Q(parent__isnull=False), name="duty_unique_sub_position"
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="duty_position_positive"),
        ]
        indexes = [models.Index(fields=["agency", "position"])]

    def __str__(self) -> str:
        return f"{self.label} {self.text[:60]}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": _("Sub-items cannot have sub-items of their own.")})
            if self.agency_id and self.parent.agency_id != self.agency_id:
                raise ValidationError({"parent": _("A sub-item belongs to an item of the same agency.")})



@receiver(pre_delete, sender=DutyCategory)
def protect_categories_in_use(sender, instance: DutyCategory, **kwargs) -> None:
    """The many-to-many link would silently drop a deleted category from its duties: refuse instead,
    as the former foreign key's PROTECT did (admin, shell and queryset deletes all send this)."""
    in_use = list(instance.duties.all()[:5])
    if in_use:
        raise ProtectedError(
            f"Duty category “{instance}” is used by duties; move them to another category first.", set(in_use)
        )


def profile_duties() -> Prefetch:
    """For `Agency.objects.with_profile()`: the numbered duties, with their categories and sub-items, as
    `agency.top_level_duties` — four queries whatever their number (the site's profile and the API's)."""
    sub_items = Duty.objects.prefetch_related("categories").order_by("position")
    top_level = Duty.objects.top_level().order_by("position").prefetch_related(
        "categories", Prefetch("children", queryset=sub_items)
    )
    return Prefetch("duties", queryset=top_level, to_attr="top_level_duties")
