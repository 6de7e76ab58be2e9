"""Keep the index right on every write path.

Saves and deletes (admin forms and inlines, history revert, import undo, restore) arrive as model
signals. Bulk writes send none: imports and the synthetic generator send `agencies.signals.
agencies_bulk_changed` with the agencies they touched, and this module reindexes those."""
from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from agencies.models import Agency, AgencyName, Contact, Region
from agencies.signals import agencies_bulk_changed, in_bulk_write
from search.index import agencies_of_regions, index_agencies
from search.models import Synonym
from search.synonyms import forget_synonyms

Duty = Agency._meta.get_field("duties").related_model


# The typo vocabulary (search/suggest.py) follows the index: `index_agencies` adds the words of the
# names it indexed.

@receiver(post_save, sender=Agency)
@receiver(post_delete, sender=Agency)
def agency_changed(sender, instance: Agency, **kwargs) -> None:
    if not in_bulk_write():
        index_agencies([instance.pk])


@receiver(post_save, sender=AgencyName)
@receiver(post_delete, sender=AgencyName)
@receiver(post_save, sender=Contact)
@receiver(post_delete, sender=Contact)
@receiver(post_save, sender=Duty)
@receiver(post_delete, sender=Duty)
def agency_record_changed(sender, instance, **kwargs) -> None:
    if not in_bulk_write():
        index_agencies([instance.agency_id])


@receiver(post_save, sender=Region)
def region_changed(sender, instance: Region, created: bool = False, raw: bool = False, **kwargs) -> None:
    if not created and not in_bulk_write():
        index_agencies(agencies_of_regions([instance.pk]))


@receiver(agencies_bulk_changed)
def agencies_bulk_written(sender, agency_ids=(), region_ids=(), created_ids=(), **kwargs) -> None:
    ids = set(agency_ids)
    if region_ids:
        ids |= set(agencies_of_regions(region_ids))
    index_agencies(ids, created=created_ids)


@receiver(post_save, sender=Synonym)
@receiver(post_delete, sender=Synonym)
def synonym_changed(sender, **kwargs) -> None:
    # Synonyms widen the query, not the index: the next search reads them again.
    forget_synonyms()
