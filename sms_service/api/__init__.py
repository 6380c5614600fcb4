"""The JSON REST API under /api/v1/ (token authentication, see `auth`)."""
from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.exceptions import HTTPException

from .errors import ApiError

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")


@blueprint.errorhandler(ApiError)
def api_error(error: ApiError):
    return jsonify(error.body()), error.status


@blueprint.errorhandler(HTTPException)
def http_error(error: HTTPException):
    return jsonify({"error": error.description or error.name}), error.code


from . import appointments, broadcasts, directory, openapi, transfers, work  # noqa: E402,F401  (the routes)
