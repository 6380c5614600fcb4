"""A drill's command line and its report: the same shape for every drill."""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from drills.harness import windows_open
from drills.invariants import broken


def main(drill, description: str, default_size: int) -> None:
    """`python -m drills.NAME [--databases sqlite,postgresql] [--size N]`: run, print a JSON
    line per database, exit 1 if any promise broke."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--size", type=int, default=default_size, help="clients (recipients)")
    args = parser.parse_args()
    failed = False
    for name in args.databases.split(","):
        result = run(drill, name, args.size)
        failed = failed or bool(result["broken"])
        print(json.dumps(result), flush=True)
    raise SystemExit(1 if failed else 0)


def run(drill, name: str, size: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="drill-") as folder:
        began = time.monotonic()
        with windows_open():
            found = drill(name, Path(folder), size)
        return {"database": name, "size": size, "seconds": round(time.monotonic() - began, 1),
                "broken": broken(found), **found}
