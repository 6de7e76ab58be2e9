"""The schema on the database in use (SQLite, or PostgreSQL in CI's second pass)."""
import pytest
from django.apps import apps
from django.db import connection

APPS = ("agencies", "duties", "search", "freshness", "ingest", "portal")


def _partial_index_names() -> set[str]:
    """Indexes with a WHERE clause: they cover only some rows, so they stand in for no other index."""
    return {
        item.name
        for model in apps.get_models()
        for item in [*model._meta.indexes, *model._meta.constraints]
        if getattr(item, "condition", None) is not None
    }


@pytest.mark.django_db
def test_no_index_only_repeats_the_leading_columns_of_another():
    """Every index is written on every insert and update of its table. One whose columns lead a wider
    index (a foreign key's own index beside a composite that starts with the same column) serves no
    lookup the wider one does not, and costs every write. Unique indexes enforce something and stay;
    simple_history's tables are the library's."""
    partial = _partial_index_names()
    redundant = []
    with connection.cursor() as cursor:
        for label in APPS:
            for model in apps.get_app_config(label).get_models():
                if model.__name__.startswith("Historical") or not model._meta.managed:
                    continue
                table = model._meta.db_table
                found = connection.introspection.get_constraints(cursor, table)
                indexes = {
                    name: tuple(details["columns"])
                    for name, details in found.items()
                    if details["index"] and details["columns"] and details.get("type") not in ("gin", "gist")
                    and not name.endswith("_like")  # PostgreSQL's varchar_pattern_ops twin for LIKE 'prefix%'
                    and name not in partial
                }
                for name, columns in indexes.items():
                    if found[name]["unique"]:
                        continue
                    wider = [other for other, other_columns in indexes.items()
                             if other != name and other_columns[:len(columns)] == columns]
                    if wider:
                        redundant.append(f"{table}.{name} {columns}: {wider[0]} {indexes[wider[0]]} leads with them")
    assert redundant == []
