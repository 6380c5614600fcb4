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
