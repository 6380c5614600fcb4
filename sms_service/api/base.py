"""The API's blueprint and what it answers before and around its views: JSON errors, ids in range."""

from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException

from .errors import ApiError

PREFIX = "/api/v1"
blueprint = Blueprint("api", __name__, url_prefix=PREFIX)


@blueprint.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error.body()), error.status


@blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return jsonify({"error": error.description or error.name}), error.code


def init_app(app) -> None:
    """What the app answers under /api/v1/ before a view is found: JSON, never an HTML page, and
    an id beyond any database's reach is simply not found."""
    from flask import abort, request

    from ..records import MAX_ID

    @app.url_value_preprocessor
    def ids_in_range(endpoint, values):
        if values and any(isinstance(v, int) and v > MAX_ID for v in values.values()):
            abort(404)

    def as_json(error: HTTPException):
        """No route matched, so no blueprint's handler runs: JSON under the API, Flask's page elsewhere."""
        return http_error(error) if request.path.startswith(PREFIX + "/") else error

    for code in (404, 405):
        app.register_error_handler(code, as_json)
