"""Accounts and logging in. Passwords are kept as werkzeug's salted scrypt hashes and checked in
constant time; a new one must not be common or made of the username (zxcvbn, score 3 of 4).

Throttling slows an attacker without locking the real user out from her own phone:
- one account from one address: after 5 failures in 15 minutes that pair is turned away for
  the rest of the window (her phone, elsewhere, still logs in);
- one account from anywhere: 50 failures since her last login lock the account for 15 minutes;
- one address, whatever the names: 20 failures in 15 minutes turn the address away (429).
A wrong password, an unknown name and an account turned away all get the same answer, at the
same cost (a password hash is always checked). Only a login that was tried counts: a page view
is never a failure. A password reset ends every session of the account; logging out ends its
own session on the server (`LoginSession`), wherever its cookie is presented."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..access import ROLES, Caller, person_of, scope_ids
from ..models import LoginSession, MentorMother, User

MIN_PASSWORD = 10
MIN_STRENGTH = 3  # zxcvbn's score, 0 to 4: "safely unguessable"
PAIR_FAILURES = 5  # one account from one address, within WINDOW
ACCOUNT_FAILURES = 50  # one account from anywhere, since her last login: locked for LOCK_FOR
ADDRESS_FAILURES = 20  # one address, any account, within WINDOW
WINDOW = ADDRESS_WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)


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
    session_key: str = ""  # this login's key (its digest is the server's `LoginSession`)

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:  # a reset bumps the version; a logout ends the key: the session stops
        return f"{self.id}:{self.session_version}:{self.session_key}"

    @property
    def caller(self) -> Caller:
        return Caller(
            f"user:{self.id}",
            self.role,
            "web",
            self.mentor_mother_id,
            self.facility_id,
            person_of(self.id, self.role, self.mentor_mother_id),
        )

    @classmethod
    def of(cls, user: User, session_key: str = "") -> Account:
        return cls(
            user.id,
            user.username,
            user.name,
            user.role,
            user.facility_id,
            user.mentor_mother_id,
            user.language,
            user.session_version,
            session_key,
        )


@dataclass(frozen=True)
class Login:
    account: Account | None
    refusal: str | None = None  # wrong (a wrong password, an unknown name, turned away: one answer), throttled
    locked_until: datetime | None = None


@cache
def _dummy_hash() -> str:
    """A hash of nobody's password: checking against it, an unknown name costs as much as a known
    one. Made at the first login of a process (every login asks for it first, so the first is
    as slow whoever logs in), not at import: a scrypt hash is 0.1 s of every worker's start-up."""
    return generate_password_hash(secrets.token_hex(16))


def new_password() -> str:
    return secrets.token_urlsafe(12)


def _checked(password: str, *names: str) -> str:
    """The hash of an acceptable password for the account named `names` (username, name)."""
    if len(password) < MIN_PASSWORD:
        raise AccountRefused(f"a password has at least {MIN_PASSWORD} characters")
    if not password.strip():
        raise AccountRefused("a password is more than spaces")
    lowered = password.strip().lower()
    if any(name and lowered == name.strip().lower() for name in names):
        raise AccountRefused("a password is not the username or the name")
    from zxcvbn import zxcvbn  # its word lists are read on first use, not at every start-up

    if zxcvbn(password[:100], user_inputs=[n for n in names if n])["score"] < MIN_STRENGTH:
        raise AccountRefused(
            "that password is too common or too like the username: choose a longer or "
            "less usual one (a few unrelated words work well)"
        )
    return generate_password_hash(password)


def add(
    session: Session,
    username: str,
    *,
    name: str,
    role: str,
    password: str,
    facility: str | None = None,
    mentor_mother: str | None = None,
    language: str | None = None,
    actor: str = "cli",
) -> User:
    """A new account. Raises `AccountRefused` (or `access.ScopeRefused`) saying why not. Its
    language, when not given, is its Mentor Mother's (she reads what her clients read), else English."""
    username = username.strip().lower()
    if not username or len(username) > 64 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise AccountRefused("a username is letters, digits, '.', '-' or '_' (at most 64)")
    if role not in ROLES:
        raise AccountRefused(f"role: one of {', '.join(ROLES)}")
    if language not in (None, "en", "sw"):
        raise AccountRefused("language: en or sw")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountRefused(f"there is already an account {username}")
    facility_id, mentor_id = scope_ids(session, role, facility, mentor_mother)
    if language is None:
        language = (
            session.scalar(select(MentorMother.language).where(MentorMother.id == mentor_id)) if mentor_id else None
        ) or "en"
    user = User(
        username=username,
        name=name.strip() or username,
        role=role,
        password_hash=_checked(password, username, name),
        facility_id=facility_id,
        mentor_mother_id=mentor_id,
        language=language,
    )
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
    user.password_hash, user.password_changed_at = _checked(password, user.username, user.name), now
    user.failed_logins, user.locked_until, user.session_version = 0, None, user.session_version + 1
    audit.record(session, actor, "user.reset", subject_type="user", subject_id=user.id, origin="cli")
    return user


def set_active(
    session: Session, username: str, active: bool, *, actor: str = "cli", now: datetime | None = None
) -> User:
    """Disable an account (its sessions and its API tokens end at once, it cannot log in) or
    enable it again (its old tokens stay ended: new ones are made for it)."""
    from ..db import utcnow
    from ..models import ApiToken

    user = _named(session, username)
    if user.active != active:
        user.active, user.session_version = active, user.session_version + 1
        if not active:
            for token in session.scalars(
                select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            ):
                token.revoked_at = now or utcnow()
        audit.record(
            session,
            actor,
            "user.enable" if active else "user.disable",
            subject_type="user",
            subject_id=user.id,
            origin="cli",
        )
    return user


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load(session: Session, account_id: str, now: datetime | None = None) -> Account | None:
    """The account a session cookie names, if it is still valid: active, same password, and its
    login not ended (logged out) nor older than a session lives."""
    from ..db import utcnow

    user_id, version, key = (account_id.split(":") + ["", ""])[:3]
    if not user_id.isdigit() or not version.isdigit() or not key:
        return None
    found = session.execute(
        select(User, LoginSession.created_at)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(User.id == int(user_id), LoginSession.key_hash == _digest(key), LoginSession.ended_at.is_(None))
    ).first()
    if found is None:
        return None
    user, began = found
    if not user.active or user.session_version != int(version) or began + SESSION_LIFETIME < (now or utcnow()):
        return None
    return Account.of(user, key)


def log_out(session: Session, account_id: str, now: datetime) -> None:
    """End this login on the server: its cookie, wherever it is presented, no longer works."""
    key = (account_id.split(":") + ["", ""])[2]
    if key:
        session.execute(
            update(LoginSession)
            .where(LoginSession.key_hash == _digest(key), LoginSession.ended_at.is_(None))
            .values(ended_at=now)
        )


def log_in(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime,
    address: str,
    address_failures,
    pair_failures=lambda add, version: 0,
) -> Login:
    """Check a login. `address_failures(add: bool) -> int` counts recent failures from the
    caller's address; `pair_failures(add, version)` those of this name from it since the
    account's password `version` (a reset starts the count again), adding one when asked.
    Whatever the reason, a refused login costs one password check and says the same."""
    dummy = _dummy_hash()
    if address_failures(False) >= ADDRESS_FAILURES:
        return Login(None, "throttled")
    user = session.scalar(select(User).where(User.username == username.strip().lower()[:64]))
    usable = user if user is not None and user.active else None  # None: no account that may log in
    version = user.session_version if user is not None else 0
    turned_away = pair_failures(False, version) >= PAIR_FAILURES or (
        usable is not None and usable.locked_until is not None and usable.locked_until > now
    )
    right = check_password_hash(usable.password_hash if usable else dummy, password)
    if usable is not None and right and not turned_away:
        usable.failed_logins, usable.locked_until, usable.last_login_at = 0, None, now
        key = secrets.token_urlsafe(24)
        session.add(LoginSession(user_id=usable.id, key_hash=_digest(key), created_at=now))
        audit.record(
            session, f"user:{usable.id}", "user.login", subject_type="user", subject_id=usable.id, origin=address
        )
        return Login(Account.of(usable, key))
    if not right or usable is None:
        address_failures(True)
        pair_failures(True, version)
    if usable is not None and not right:
        usable.failed_logins += 1
        if usable.failed_logins >= ACCOUNT_FAILURES and not turned_away:
            usable.locked_until = now + LOCK_FOR
            audit.record(
                session,
                f"user:{usable.id}",
                "user.locked",
                subject_type="user",
                subject_id=usable.id,
                origin=address,
                failures=usable.failed_logins,
            )
    return Login(None, "wrong")  # whatever the reason: one answer
