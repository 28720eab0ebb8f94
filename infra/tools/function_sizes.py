"""List the functions of ``services/`` and ``domain/`` longer than a limit (default 60 lines), longest first.

    .venv/bin/python infra/tools/function_sizes.py [--limit 60] [DIR ...]

Lines count from ``def`` to the function's last line, docstring included (nested functions count in their
parent too). Each one left long has its reason in README.md ("Long functions").
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "helpdesk" / "helpdesk"
DEFAULT_DIRS = (PACKAGE / "services", PACKAGE / "domain")


def long_functions(dirs: list[Path], limit: int) -> list[tuple[int, str, str]]:
    found: list[tuple[int, str, str]] = []
    for directory in dirs:
        for path in sorted(directory.rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno is not None:
                    length = node.end_lineno - node.lineno + 1
                    if length > limit:
                        shown = path.resolve()
                        shown = shown.relative_to(PACKAGE.parent) if shown.is_relative_to(PACKAGE.parent) else shown
                        where = f"{shown}:{node.lineno}"
                        found.append((length, where, node.name))
    return sorted(found, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=60)
    parser.add_argument("dirs", nargs="*", type=Path, default=list(DEFAULT_DIRS))
    args = parser.parse_args()
    rows = long_functions(args.dirs, args.limit)
    for length, where, name in rows:
        print(f"{length:4d}  {name:<32} {where}")
    print(f"{len(rows)} function(s) over {args.limit} lines")


if __name__ == "__main__":
    main()
