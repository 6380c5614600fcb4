"""API errors: a status and a clear JSON body, `{"error": "…"}` (and `problems` when several)."""

from __future__ import annotations

import re
from datetime import date, time

DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # the document's `format: date`, no more
TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")  # HH:MM


class ApiError(Exception):
    def __init__(self, status: int, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.status, self.message, self.problems = status, message, problems

    def body(self) -> dict:
        return {"error": self.message, **({"problems": self.problems} if self.problems else {})}


def json_body(optional: bool = False) -> dict:
    """The request's JSON object (`optional`: none sent is an empty one), or a 400 saying what
    is expected."""
    from flask import request

    data = request.get_json(silent=True)
    if optional and data is None:
        return {}
    if not isinstance(data, dict):
        raise ApiError(400, "send a JSON object (Content-Type: application/json)")
    return data


KINDS = {str: "text", bool: "true or false", dict: "an object", list: "a list", int: "a whole number"}


def typed(data: dict, **expected: type) -> dict:
    """`data`'s fields of these names, each absent (None) or of its type; a 400 naming every
    field that is not (an API answers a wrong JSON shape with 400, never a 500). An explicit
    null is not absent: the document gives none of these fields null, so it is refused too."""
    problems = [
        f"{name}: {KINDS[kind]}"
        for name, kind in expected.items()
        if name in data
        and (data[name] is None or not isinstance(data[name], kind) or (kind is int and isinstance(data[name], bool)))
    ]
    if problems:
        raise ApiError(400, "malformed field(s): " + ", ".join(p.split(":")[0] for p in problems), problems)
    return {name: data.get(name) for name in expected}


def a_date(raw: object, name: str) -> date:
    """A date as the document writes it (YYYY-MM-DD: Python alone would also take 20261220), or a
    400 naming the field."""
    if isinstance(raw, str) and DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    raise ApiError(400, f"{name}: a date as YYYY-MM-DD")


def a_time(raw: object, name: str) -> time:
    """A time of day as HH:MM, or a 400 naming the field."""
    if isinstance(raw, str) and TIME.fullmatch(raw):
        return time.fromisoformat(raw)
    raise ApiError(400, f"{name}: a time as HH:MM")


MAX_ID = 2**31 - 1  # ids are 32-bit integers (records.MAX_ID), as the document says


def record_list(data: dict, key: str, fields: tuple[str, ...], required: tuple[str, ...] = ()) -> list[dict]:
    """`data[key]`: a list of objects whose known `fields` are text (the CSV's columns); a 400
    naming every record and field of the wrong shape. What a value says (an unknown client, a
    date that is no date) is for the loader, record by record."""
    rows = data.get(key)
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ApiError(400, f"{key}: a list of objects")
    problems = [
        f"{key}[{i}].{name}: text"
        for i, row in enumerate(rows)
        for name in fields
        if name in row and not isinstance(row[name], str) and not (row[name] is None and name in required)
    ]
    problems += [
        f"{key}[{i}].{name}: required" for i, row in enumerate(rows) for name in required if row.get(name) is None
    ]
    if problems:
        raise ApiError(400, "malformed record(s)", problems[:50])
    return rows


def int_arg(name: str, default: int | None = None, *, low: int = 0, high: int | None = MAX_ID) -> int | None:
    """A whole-number query parameter (an id, unless `high` says otherwise), or a 400 naming it."""
    from flask import request

    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise ApiError(400, f"{name}: a whole number" + (f" from {low} to {high}" if high is not None else ""))
    return int(raw)


def limit_arg() -> int:
    return int_arg("limit", 100, low=1, high=500) or 100
