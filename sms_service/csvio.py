"""CSV in and out.

In: a file a person saved, UTF-8 (a BOM allowed, as spreadsheets write it), a header row;
column names trimmed and in lower case, values trimmed. Every command that reads a CSV
(imports, outcomes, a closure's mapping, life events) reads it here; `RecordReport` is what a
file of outcomes did.

Out: CSV that is safe to open in a spreadsheet, for every file the service writes (referral
lists, reports): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
written after an apostrophe, so no spreadsheet takes it for a formula (OWASP's rule). A clinic's
list is opened in Excel or LibreOffice; a first name or a transfer's reason typed by someone
else must never run there. Numbers stay numbers; a phone number reads `'+254…` (the apostrophe
is hidden by the spreadsheet, which shows the number as text)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from werkzeug.datastructures import Headers


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


@dataclass
class RecordReport:
    """What a file of outcomes did (arrivals, visits attended…): one line per record."""

    recorded: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.recorded} recorded, {self.unchanged} already so, {len(self.errors)} refused"


# -- out ---------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class Writer:
    """`csv.writer`'s two methods, every cell made safe on its way out."""

    def __init__(self, out):
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: Iterable) -> None:
        self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def text(rows: Iterable[Iterable]) -> str:
    """The rows as safe CSV text."""
    out = io.StringIO()
    Writer(out).writerows(rows)
    return out.getvalue()


def attachment(filename: str) -> Headers:
    """Response headers offering the CSV as a file, the name quoted by werkzeug's own helper."""
    headers = Headers()
    headers.set("Content-Disposition", "attachment", filename=filename)
    return headers
