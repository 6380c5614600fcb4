"""API errors: a status and a clear JSON body, `{"error": "…"}` (and `problems` when several)."""
from __future__ import annotations


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


def int_arg(name: str, default: int | None = None, *, low: int = 0, high: int | None = None) -> int | None:
    """A whole-number query parameter, or a 400 naming it."""
    from flask import request

    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        raise ApiError(400, f"{name}: a whole number" + (f" from {low} to {high}" if high is not None else ""))
    return int(raw)


def limit_arg() -> int:
    return int_arg("limit", 100, low=1, high=500)
