"""Whether a change to the engine left the findings exactly as they were: the synthetic collection's
findings written to Parquet in both languages (``write``), then two such sets compared column for
column (``compare``). A speed-up is kept only when the comparison says identical.

    python benchmarks/same_findings.py write 10000 /tmp/before [--rules data/rules.toml]
    # … change the engine …
    python benchmarks/same_findings.py write 10000 /tmp/after --rules /tmp/before/rules.toml
    python benchmarks/same_findings.py compare /tmp/before /tmp/after

``write`` keeps a copy of the rules it audited with beside the findings, so that the second run can be
given the same rules while other work changes data/rules.toml.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LANGUAGES = ("zh", "en")


def write(n: int, out: Path, rules: Path) -> None:
    sys.path.insert(0, str(HERE))
    from synthetic import parquet_collection

    from budgetkit.collection import audit_parquet_to
    from budgetkit.messages import set_language

    out.mkdir(parents=True, exist_ok=True)
    if rules.resolve() != (out / "rules.toml").resolve():
        shutil.copyfile(rules, out / "rules.toml")
    folder = parquet_collection(n)
    for lang in LANGUAGES:
        set_language(lang)
        audit_parquet_to(folder, out / f"findings-{lang}.parquet", rules=out / "rules.toml")
        print(f"{lang}: {out / f'findings-{lang}.parquet'}")


def compare(first: Path, second: Path) -> bool:
    import pyarrow.parquet as pq

    same = True
    for lang in LANGUAGES:
        a, b = (pq.read_table(folder / f"findings-{lang}.parquet") for folder in (first, second))
        differing = [name for name in a.column_names if name not in b.column_names or not a[name].equals(b[name])]
        if not a.schema.equals(b.schema) or a.num_rows != b.num_rows or differing:
            same = False
        print(f"{lang}: {a.num_rows} and {b.num_rows} rows; schema {'equal' if a.schema.equals(b.schema) else 'differs'}; "
              + (f"columns differing: {', '.join(differing)}" if differing else "every column identical"))
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    writing = commands.add_parser("write")
    writing.add_argument("n", type=int)
    writing.add_argument("out", type=Path)
    writing.add_argument("--rules", type=Path, default=HERE.parent / "data" / "rules.toml")
    comparing = commands.add_parser("compare")
    comparing.add_argument("first", type=Path)
    comparing.add_argument("second", type=Path)
    args = parser.parse_args()
    if args.command == "write":
        write(args.n, args.out, args.rules)
        return 0
    return 0 if compare(args.first, args.second) else 1


if __name__ == "__main__":
    raise SystemExit(main())
