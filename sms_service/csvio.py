"""Reading a CSV file a person saved: UTF-8 (a BOM allowed, as spreadsheets write it), a header
row; column names trimmed and in lower case, values trimmed. Every command that reads a CSV
(imports, outcomes, a closure's mapping) reads it here."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


class Unreadable(Exception):
    """The file cannot be read as a CSV; the message says why, for the person who saved it."""


def clean(raw: dict) -> dict[str, str]:
    """A row with its column names trimmed and in lower case, its values trimmed."""
    return {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}


@dataclass
class CsvFile:
    name: str | None
    text: str
    columns: list[str]  # as the header has them

    def raw_rows(self) -> Iterator[tuple[int, dict]]:
        """(line number, row as read)."""
        reader = csv.DictReader(io.StringIO(self.text, newline=""))
        return ((reader.line_num, row) for row in reader)

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, cleaned row), blank lines left out."""
        return ((line, row) for line, row in ((n, clean(r)) for n, r in self.raw_rows()) if any(row.values()))

    def missing(self, *required: str) -> list[str]:
        present = {c.strip().lower() for c in self.columns if c}
        return [c for c in required if c not in present]


def read_csv(file) -> CsvFile:
    """A path, or an open binary or text file."""
    name = Path(file).name if isinstance(file, (str, Path)) else getattr(file, "name", None)
    try:
        data = Path(file).read_bytes() if isinstance(file, (str, Path)) else file.read()
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise Unreadable(f"not UTF-8 text (byte {exc.start}): save the file as CSV UTF-8") from None
    except OSError as exc:
        raise Unreadable(f"cannot read the file: {exc.strerror}") from None
    columns = csv.DictReader(io.StringIO(text, newline="")).fieldnames
    if not columns:
        raise Unreadable("the file is empty: a header row is needed")
    return CsvFile(name, text, list(columns))
