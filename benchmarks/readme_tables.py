"""Print the tables of a `run.py --json` file as Markdown, for the README's performance section.

    .venv/bin/python -m benchmarks.readme_tables bench.json [--parts load http-search]
    .venv/bin/python -m benchmarks.readme_tables --summary run-3300.json run-100k.json"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from benchmarks.report import cell


def to_markdown(data: dict, parts: list[str] | None = None) -> str:
    meta = data["meta"]
    lines = [f"Run of {meta['started']} (commit {meta['commit']}, {meta['machine']['cpus']} cores, "
             f"Python {meta['machine']['python']}); {meta['clients']} clients × {meta['duration_s']:.0f} s."]
    for table in data["tables"]:
        if parts and table["part"] not in parts:
            continue
        where = ", ".join(filter(None, [f"{table['size']:,} agencies" if table.get("size") else "",
                                        table.get("database") or ""]))
        lines += ["", f"**{table['title']}**" + (f" ({where})" if where else ""), "",
                  "| " + " | ".join(table["columns"]) + " |",
                  "|" + "|".join("---" if i == 0 else "---:" for i in range(len(table["columns"]))) + "|"]
        lines += ["| " + " | ".join(cell(value).replace("|", "\\|") for value in row) + " |" for row in table["rows"]]
        lines += [f"- {note}" for note in table.get("notes", [])]
    return "\n".join(lines)


SUMMARY = {  # title prefix -> the columns kept (all when None)
    "Machine speed": None,
    "Issue 11's workload": ["server", "req/s", "vs 36 req/s", "p50", "p95", "p99", "errors", "load generator CPU"],
    "Mixed anonymous workload": ["server", "req/s", "p50", "p95", "p99", "errors", "vs cache off",
                                 "load generator CPU"],
    "Comparable API reads": None,
    "One client, 10 URLs per kind": None,
    "Search (issue 8)": None,
}


def summary_markdown(runs: list[dict]) -> str:
    """The README's performance tables: each served table of every run, one row per dataset size
    (tables with the same columns are merged; a run with other databases starts a table of its own)."""
    blocks: list[tuple[str, list[str], list[list[str]]]] = []
    for prefix, keep in SUMMARY.items():
        for data in runs:
            for table in data["tables"]:
                if not table["title"].startswith(prefix):
                    continue
                picked = [i for i, name in enumerate(table["columns"]) if keep is None or name in keep]
                columns = ["agencies", *(table["columns"][i] for i in picked)]
                size = f"{table['size']:,}" if table.get("size") else "—"
                rows = [[size, *(cell(row[i]).replace("|", "\\|") for i in picked)] for row in table["rows"]]
                if blocks and blocks[-1][0].startswith(prefix) and blocks[-1][1] == columns:
                    blocks[-1][2].extend(rows)
                else:
                    blocks.append((table["title"], columns, rows))
    lines = []
    for title, columns, rows in blocks:
        lines += ["", f"**{title}**", "", "| " + " | ".join(columns) + " |",
                  "|" + "|".join("---" if i < 2 else "---:" for i in range(len(columns))) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json_files", type=Path, nargs="+")
    parser.add_argument("--parts", nargs="+")
    parser.add_argument("--summary", action="store_true", help="the served tables of all files, merged by size")
    args = parser.parse_args()
    runs = [json.loads(path.read_text(encoding="utf-8")) for path in args.json_files]
    if args.summary:
        print(summary_markdown(runs))
    else:
        print("\n\n".join(to_markdown(data, args.parts) for data in runs))


if __name__ == "__main__":
    main()
