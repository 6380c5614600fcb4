"""What the benchmarks share: a database to measure on, made and dropped by the script."""
from __future__ import annotations

from pathlib import Path


def database(name: str, folder: Path):
    """(URL, cleanup) for `sqlite` (a file in `folder`) or `postgresql` (a private database)."""
    if name == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}", lambda: None
    from tests.support import databases

    url = databases.create_database()
    return url, lambda: databases.drop_database(url)
