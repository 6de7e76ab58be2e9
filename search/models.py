"""Synonyms staff edit, and the search index: one document per agency, kept by `search.index`."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from agencies.models import Agency
from search.analysis import words


class Synonym(models.Model):
    """Two ways of writing the same thing; a search for either finds both. Synonyms only widen
    searches: they never appear on a profile."""

    term = models.CharField(max_length=100, help_text="Short or everyday form, e.g. 科技 or S&T.")
    equivalent = models.CharField(
        max_length=200, help_text="The form it stands for, e.g. 科学技术 or science and technology."
    )
    note = models.CharField(max_length=255, blank=True, help_text="Why the two mean the same (for editors).")
    history = HistoricalRecords()

    class Meta:
        ordering = ["term", "equivalent"]
        constraints = [models.UniqueConstraint(fields=["term", "equivalent"], name="synonym_unique_pair")]

    def __str__(self) -> str:
        return f"{self.term} ↔ {self.equivalent}"

    def clean(self) -> None:
        for field in ("term", "equivalent"):
            if not words(getattr(self, field)):
                raise ValidationError({field: "Give at least one letter, digit or Chinese character."})
        if words(self.term) == words(self.equivalent):
            raise ValidationError({"equivalent": "The two forms are the same once case and punctuation are ignored."})


class IndexVersion(models.Model):
    """Row 1 says which search documents the index holds: `search.index` moves it in the same
    transaction as every write to the documents, with a new random `salt` (a number reused after a
    rolled-back transaction is still a new key). Answers remembered from the index (its windows) are
    keyed on it, so edits that leave every document as it was (office hours, holidays, sources) keep
    them."""

    number = models.BigIntegerField(default=1)
    salt = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "search index version"

    def __str__(self) -> str:
        return f"search index version {self.number}.{self.salt}"


class SearchDocument(models.Model):
    """The index row of one agency. The table is made by this app's migration for the database in use:
    an FTS5 virtual table on SQLite (columns names, places, duties), a table with a weighted tsvector
    and a GIN index on PostgreSQL. Rows are written by `search.index` only."""

    agency = models.OneToOneField(
        Agency, primary_key=True, db_column="rowid", related_name="search_document",
        # The index row is removed by search.index when the agency goes (signals), not by a cascade.
        on_delete=models.DO_NOTHING, db_constraint=False,
    )

    class Meta:
        managed = False
        db_table = "search_document"

    def __str__(self) -> str:
        return f"search document of agency {self.agency_id}"


class Word(models.Model):
    """A word of the names and places in the index, as "Did you mean …?" offers it (search/suggest.py):
    `key` normalised, `written` as a name first wrote it. Every write to the search documents adds the
    words of the names it indexed; a word no name uses any more stays until `rebuild_search_index`,
    and is never offered meanwhile (a suggestion must find something)."""

    key = models.CharField(max_length=200, primary_key=True)
    written = models.CharField(max_length=200)

    class Meta:
        verbose_name = "suggestion word"

    def __str__(self) -> str:
        return self.written
