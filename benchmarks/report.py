"""One printed table per part (each figure with its reference beside it) and the `--json` record.

A part calls `table(...)`; the table is printed at once and kept, so that `run.py --json FILE` can
write every figure of the run for the README to be updated from."""
from __future__ import annotations

import json
import math
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Table:
    part: str
    title: str
    columns: list[str]
    rows: list[list[object]]
    notes: list[str] = field(default_factory=list)
    size: int | None = None
    database: str | None = None


TABLES: list[Table] = []
CONTEXT: dict[str, object] = {}  # size and database of the dataset being measured, set by run.py


def where(*, size: int | None, database: str | None) -> None:
    CONTEXT.update(size=size, database=database)


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p50 of [1, 2, 3, 4] is 2): no interpolation between two requests."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(samples_ms: list[float]) -> dict[str, float]:
    return {"n": len(samples_ms), "median": statistics.median(samples_ms) if samples_ms else math.nan,
            "p95": percentile(samples_ms, 0.95), "p99": percentile(samples_ms, 0.99)}


def ms(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    if value < 1:
        return f"{value * 1000:.0f} µs"
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(part: str, title: str, columns: list[str], rows: list[list[object]], notes: list[str] | tuple = (),
          *, size: int | None = None, database: str | None = None) -> Table:
    """Print a table (first column left-aligned, the others right-aligned) and keep it for --json."""
    size = size or CONTEXT.get("size")
    database = database or CONTEXT.get("database")
    result = Table(part, title, list(columns), [list(row) for row in rows], list(notes), size, database)
    TABLES.append(result)
    cells = [[cell(value) for value in row] for row in result.rows]
    widths = [max([len(columns[i])] + [len(row[i]) for row in cells if i < len(row)]) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        first, *rest = values
        return "  ".join([first.ljust(widths[0]), *(v.rjust(w) for v, w in zip(rest, widths[1:], strict=False))])

    where = ", ".join(filter(None, [f"{size:,} agencies" if size else "", database or ""]))
    print(f"\n## {title}" + (f" ({where})" if where else ""))
    print(line(list(columns)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(line(row))
    for note in result.notes:
        print(f"   · {note}")
    return result


def dump(path: Path, tables: list[Table] | None = None) -> None:
    path.write_text(json.dumps([asdict(t) for t in (TABLES if tables is None else tables)],
                               ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def load(path: Path) -> list[Table]:
    return [Table(**item) for item in json.loads(path.read_text(encoding="utf-8"))]
