"""Never-stale caching of anonymous responses.

Every public answer is a function of the content (the rows of the content apps), the code that renders
it and, for "open now", the clock. The database keeps a content version that triggers move on every
write to a content table — admin, imports, undo, `QuerySet.update()`, `bulk_create()`, raw SQL alike —
so a cache keyed on that version is never stale and a validator derived from it costs one tiny query.
"""
