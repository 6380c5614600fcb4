"""REST API credentials: `Authorization: Bearer <token>`. Only a token's SHA-256 is stored; the
lookup is by that digest and the match confirmed in constant time. A token's role scopes every
query: admin (everything), supervisor (one facility), mentor_mother (her own clients)."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import wraps

from flask import g, request
from sqlalchemy import select

from .. import access
from ..access import ROLES, Caller
from ..db import utcnow
from ..models import ApiToken
from ..services import get_services
from .errors import ApiError

__all__ = ["ROLES", "Caller", "issue", "narrowed", "requires"]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sms_" + secrets.token_urlsafe(32)


def issue(session, name: str, role: str, facility_id: int | None = None, mentor_mother_id: int | None = None) -> str:
    """A new token (shown once: only its digest is kept)."""
    token = new_token()
    session.add(ApiToken(name=name, token_hash=digest(token), role=role, facility_id=facility_id,
                         mentor_mother_id=mentor_mother_id))
    return token


def caller_from_request() -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "send the header Authorization: Bearer <token>")
    wanted = digest(token.strip())
    with get_services().db.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == wanted, ApiToken.revoked_at.is_(None)))
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            raise ApiError(401, "unknown or revoked token")
        row.last_used_at = utcnow()
        return Caller(f"token:{row.id}", row.role, "api", row.mentor_mother_id, row.facility_id)


def narrowed(query, *facility_columns):
    """`query` narrowed to what this request's caller may see (`access.narrowed`)."""
    return access.narrowed(query, g.caller, *facility_columns)


def requires(*roles: str):
    """The view needs a token with one of these roles (all roles when none given)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            g.caller = caller_from_request()
            if roles and g.caller.role not in roles:
                raise ApiError(403, f"this needs the role {' or '.join(roles)}")
            return view(*args, **kwargs)
        return wrapper
    return decorate
