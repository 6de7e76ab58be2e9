"""The content version: one row, moved by database triggers on every write to a content table."""
from django.db import models


class ContentVersion(models.Model):
    """Row 1 says which content the database holds: `number` moves with every write statement,
    `salt` makes a number reused after a rolled-back transaction or a restored backup a new key, and
    `changed_at` is when it last moved (the Last-Modified of pages that show only content)."""

    number = models.BigIntegerField(default=1)
    salt = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = "content version"

    def __str__(self) -> str:
        return f"content version {self.number}.{self.salt} ({self.changed_at:%Y-%m-%d %H:%M:%S})"
