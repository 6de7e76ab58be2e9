"""Print the tables of a `run.py --json` file as Markdown, for the README's performance section.

    .venv/bin/python -m benchmarks.readme_tables bench.json [--parts load http-search]"""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("json_file", type=Path)
    parser.add_argument("--parts", nargs="+")
    args = parser.parse_args()
    print(to_markdown(json.loads(args.json_file.read_text(encoding="utf-8")), args.parts))


if __name__ == "__main__":
    main()
