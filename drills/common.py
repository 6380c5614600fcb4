"""A drill's command line and its report: the same shape for every drill."""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from drills.harness import windows
from drills.invariants import broken


def main(drill, description: str, default_size: int, **options: float) -> None:
    """`python -m drills.NAME [--databases sqlite,postgresql] [--size N] [--OPTION X]`: run,
    print a JSON line per database, exit 1 if any promise broke. `options`: the drill's own
    keyword arguments (numbers) and their defaults."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=default_size, help="clients (recipients)")
    for option, default in options.items():
        parser.add_argument(f"--{option}", type=float, default=default)
    args = parser.parse_args()
    failed = False
    for name in args.databases.split(","):
        result = run(drill, name, args.size, **{option: getattr(args, option) for option in options})
        failed = failed or bool(result["broken"])
        print(json.dumps(result), flush=True)
    raise SystemExit(1 if failed else 0)


def run(drill, name: str, size: int, **options) -> dict:
    with tempfile.TemporaryDirectory(prefix="drill-") as folder:
        began = time.monotonic()
        with windows():
            found = drill(name, Path(folder), size, **options)
        return {
            "database": name,
            "size": size,
            "seconds": round(time.monotonic() - began, 1),
            "broken": broken(found),
            **found,
        }
