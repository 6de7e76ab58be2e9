"""Installing the agencies app's own triggers (`opening.py`: weekly hours; `tallies.py`: counts per city)."""
from __future__ import annotations


def execute_triggers(cursor, vendor: str, what: str, *, postgresql: str, sqlite: list[str]) -> None:
    """Run the DDL written for this database: one script for PostgreSQL, statements one by one for
    SQLite (its driver runs one statement per call)."""
    if vendor == "postgresql":
        cursor.execute(postgresql)
    elif vendor == "sqlite":
        for statement in sqlite:
            cursor.execute(statement)
    else:
        raise NotImplementedError(f"No {what} triggers for {vendor}")
