"""Accounts and logging in. Passwords are kept as werkzeug's salted scrypt hashes and checked in
constant time. Throttling: five wrong passwords lock an account for 15 minutes (each further
five, 15 minutes more), and twenty failures from one address in 15 minutes turn that address
away for the rest of the window. A password reset ends every session of the account."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..access import ROLES, Caller, scope_ids
from ..models import User

MIN_PASSWORD = 10
LOCK_AFTER = 5
LOCK_FOR = timedelta(minutes=15)
ADDRESS_FAILURES = 20  # within ADDRESS_WINDOW, from one address
ADDRESS_WINDOW = timedelta(minutes=15)


class AccountRefused(ValueError):
    pass


@dataclass(frozen=True)
class Account:
    """The logged-in person, as a request needs them (Flask-Login's user)."""
    id: int
    username: str
    name: str
    role: str
    facility_id: int | None
    mentor_mother_id: int | None
    language: str
    session_version: int

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:  # a password reset bumps the version: older sessions stop working
        return f"{self.id}:{self.session_version}"

    @property
    def caller(self) -> Caller:
        return Caller(f"user:{self.id}", self.role, "web", self.mentor_mother_id, self.facility_id)

    @classmethod
    def of(cls, user: User) -> "Account":
        return cls(user.id, user.username, user.name, user.role, user.facility_id, user.mentor_mother_id,
                   user.language, user.session_version)


@dataclass(frozen=True)
class Login:
    account: Account | None
    refusal: str | None = None  # wrong, locked, throttled
    locked_until: datetime | None = None


@cache
def _dummy_hash() -> str:
    """A hash of nobody's password: checking against it, an unknown name costs as much as a known
    one. Made at the first login of a process (every login asks for it first, so the first is
    as slow whoever logs in), not at import: a scrypt hash is 0.1 s of every worker's start-up."""
    return generate_password_hash(secrets.token_hex(16))


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _checked(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountRefused(f"a password has at least {MIN_PASSWORD} characters")
    return generate_password_hash(password)


def add(session: Session, username: str, *, name: str, role: str, password: str, facility: str | None = None,
        mentor_mother: str | None = None, language: str = "en", actor: str = "cli") -> User:
    """A new account. Raises `AccountRefused` (or `access.ScopeRefused`) saying why not."""
    username = username.strip().lower()
    if not username or len(username) > 64 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise AccountRefused("a username is letters, digits, '.', '-' or '_' (at most 64)")
    if role not in ROLES:
        raise AccountRefused(f"role: one of {', '.join(ROLES)}")
    if language not in ("en", "sw"):
        raise AccountRefused("language: en or sw")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountRefused(f"there is already an account {username}")
    facility_id, mentor_id = scope_ids(session, role, facility, mentor_mother)
    user = User(username=username, name=name.strip() or username, role=role, password_hash=_checked(password),
                facility_id=facility_id, mentor_mother_id=mentor_id, language=language)
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.add", subject_type="user", subject_id=user.id, origin="cli", role=role)
    return user


def _named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise AccountRefused(f"no account {username}")
    return user


def reset(session: Session, username: str, password: str, *, now: datetime, actor: str = "cli") -> User:
    """A new password: the lock lifted, every open session of the account ended."""
    user = _named(session, username)
    user.password_hash, user.password_changed_at = _checked(password), now
    user.failed_logins, user.locked_until, user.session_version = 0, None, user.session_version + 1
    audit.record(session, actor, "user.reset", subject_type="user", subject_id=user.id, origin="cli")
    return user


def set_active(session: Session, username: str, active: bool, *, actor: str = "cli") -> User:
    """Disable an account (its sessions end at once, it cannot log in) or enable it again."""
    user = _named(session, username)
    if user.active != active:
        user.active, user.session_version = active, user.session_version + 1
        audit.record(session, actor, "user.enable" if active else "user.disable", subject_type="user",
                     subject_id=user.id, origin="cli")
    return user


def load(session: Session, account_id: str) -> Account | None:
    """The account a session cookie names, if it is still valid (active, same password)."""
    user_id, _, version = account_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return Account.of(user)


def log_in(session: Session, username: str, password: str, *, now: datetime, address: str,
           address_failures) -> Login:
    """Check a login. `address_failures(add: bool) -> int` counts recent failures from the
    caller's address (adding one when asked)."""
    dummy = _dummy_hash()
    if address_failures(False) >= ADDRESS_FAILURES:
        return Login(None, "throttled")
    user = session.scalar(select(User).where(User.username == username.strip().lower()[:64]))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        address_failures(True)
        return Login(None, "locked", user.locked_until)
    if user is None or not user.active:
        check_password_hash(dummy, password)
        address_failures(True)
        return Login(None, "wrong")
    if not check_password_hash(user.password_hash, password):
        address_failures(True)
        user.failed_logins += 1
        if user.failed_logins % LOCK_AFTER == 0:
            user.locked_until = now + LOCK_FOR * (user.failed_logins // LOCK_AFTER)
            audit.record(session, f"user:{user.id}", "user.locked", subject_type="user", subject_id=user.id,
                         origin=address, failures=user.failed_logins)
            return Login(None, "locked", user.locked_until)
        return Login(None, "wrong")
    user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
    audit.record(session, f"user:{user.id}", "user.login", subject_type="user", subject_id=user.id, origin=address)
    return Login(Account.of(user))
