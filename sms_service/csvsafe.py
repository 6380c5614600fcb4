"""CSV that is safe to open in a spreadsheet, for every file the service writes (referral lists,
reports): a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
written after an apostrophe, so no spreadsheet takes it for a formula (OWASP's rule). A clinic's
list is opened in Excel or LibreOffice; a first name or a transfer's reason typed by someone
else must never run there. Numbers stay numbers; a phone number reads `'+254…` (the apostrophe
is hidden by the spreadsheet, which shows the number as text)."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from werkzeug.datastructures import Headers

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
