"""Database triggers that move the content version on every write to a content table.

Signals miss `QuerySet.update()`, `bulk_create()`, `bulk_update()`, raw SQL and fast deletes; a trigger
sees them all, inside the writing transaction: the new version becomes visible exactly when the data
does, and a rolled-back write leaves no trace. PostgreSQL fires once per statement, SQLite once per row.
"""
from __future__ import annotations

from django.apps import apps as global_apps
from django.conf import settings
from django.db import connections, models

VERSION_TABLE = "freshness_contentversion"

SQLITE_BUMP = (
    f"UPDATE {VERSION_TABLE} SET number = number + 1, salt = abs(random() % 1000000000000), "
    "changed_at = strftime('%Y-%m-%d %H:%M:%f', 'now') WHERE id = 1;"
)
POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION freshness_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {VERSION_TABLE} SET number = number + 1, salt = floor(random() * 1000000000000)::bigint,
        changed_at = clock_timestamp() WHERE id = 1;
    RETURN NULL;
END
$$;
"""


def content_models() -> list[type[models.Model]]:
    """Concrete tables whose rows the public site or API shows (history and staff bookkeeping excluded),
    including the join tables of many-to-many fields."""
    app_labels = set(settings.FRESHNESS_CONTENT_APPS)
    excluded = {label.lower() for label in settings.FRESHNESS_EXCLUDED_MODELS}
    found = []
    for model in global_apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.app_label not in app_labels or meta.proxy or not meta.managed:
            continue
        if meta.label_lower in excluded or hasattr(model, "instance_type"):  # simple_history's Historical*
            continue
        found.append(model)
    return found


def content_tables(using: str = "default") -> list[str]:
    """Content tables that exist and can carry triggers (SQLite's virtual tables, e.g. a full-text
    index, cannot: they are kept in sync from their content tables, which do carry them)."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")
            existing -= {name for (name,) in cursor.fetchall()}
    return sorted({model._meta.db_table for model in content_models()} & existing)


def install_triggers(sender=None, using: str = "default", **kwargs) -> None:
    """(Re)create the triggers on every content table; idempotent, run after each `migrate`."""
    if sender is not None and getattr(sender, "label", None) != "freshness":
        return  # post_migrate is sent once per app; the tables of all apps exist by now
    connection = connections[using]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if VERSION_TABLE not in connection.introspection.table_names(cursor):
            return
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTION)
        for table in content_tables(using):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS freshness_bump ON {quote(table)}")
                cursor.execute(
                    f"CREATE TRIGGER freshness_bump AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {quote(table)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION freshness_bump()"
                )
            elif connection.vendor == "sqlite":
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = quote(f"freshness_{table}_{operation.lower()}")
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(
                        f"CREATE TRIGGER {name} AFTER {operation} ON {quote(table)} BEGIN {SQLITE_BUMP} END"
                    )
            else:
                raise NotImplementedError(f"No content-version triggers for {connection.vendor}")
