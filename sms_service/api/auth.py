"""REST API credentials: `Authorization: Bearer <token>`. Only a token's SHA-256 is stored; the
lookup is by that digest and the match confirmed in constant time. A token's role scopes every
query: admin (everything), supervisor (one facility), mentor_mother (her own clients)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import select

from .. import access
from ..access import ROLES, Caller, person_of
from ..bootstrap import get_services
from ..db import utcnow
from ..models import ApiToken, User
from ..nul import refuse_nul
from .errors import ApiError

__all__ = ["ROLES", "Caller", "issue", "narrowed", "requires"]


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return "sms_" + secrets.token_urlsafe(32)


DAYS = 365  # API_TOKEN_DAYS' default


def issue(
    session,
    name: str,
    role: str | None = None,
    facility_id: int | None = None,
    mentor_mother_id: int | None = None,
    *,
    user=None,
    days: int = DAYS,
    now=None,
) -> str:
    """A new token (shown once: only its digest is kept), expiring in `days`. Of an account
    (`user`: its role and scope, as they are at each request, and it ends with the account), or
    a named service token with its own `role` and scope."""
    token, now = new_token(), now or utcnow()
    if user is not None:
        role, facility_id, mentor_mother_id = user.role, user.facility_id, user.mentor_mother_id
    session.add(
        ApiToken(
            name=name,
            token_hash=digest(token),
            role=role,
            facility_id=facility_id,
            mentor_mother_id=mentor_mother_id,
            user_id=user.id if user is not None else None,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def caller_from_request() -> Caller:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "send the header Authorization: Bearer <token>")
    wanted, now = digest(token.strip()), utcnow()
    with get_services().db.session() as session:
        found = session.execute(
            select(ApiToken, User)
            .outerjoin(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == wanted, ApiToken.revoked_at.is_(None))
        ).first()
        row, user = found if found is not None else (None, None)
        if row is None or not hmac.compare_digest(row.token_hash, wanted):
            raise ApiError(401, "unknown, revoked or expired token")
        if (row.expires_at is not None and row.expires_at <= now) or (
            row.user_id is not None and (user is None or not user.active)
        ):
            raise ApiError(401, "unknown, revoked or expired token")
        row.last_used_at = now
        if user is not None:  # the account's role and scope as they are now
            return Caller(
                f"token:{row.id}",
                user.role,
                "api",
                user.mentor_mother_id,
                user.facility_id,
                person_of(user.id, user.role, user.mentor_mother_id),
            )
        return Caller(
            f"token:{row.id}",
            row.role,
            "api",
            row.mentor_mother_id,
            row.facility_id,
            person_of(None, row.role, row.mentor_mother_id) if row.role == "mentor_mother" else None,
        )


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
            refuse_nul()  # after the token: a stranger's body is never parsed
            return view(*args, **kwargs)

        return wrapper

    return decorate
