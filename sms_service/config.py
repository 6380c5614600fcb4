"""Configuration: read the environment once, validate everything, report every problem at once.

`load_config(environ)` returns a `Config`; a missing or malformed value raises `ConfigError`
whose message names every problem. Secrets are never echoed back, only their names.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

GATEWAYS = ("africastalking", "outbox")
AT_LIVE_URL = "https://api.africastalking.com"
AT_SANDBOX_URL = "https://api.sandbox.africastalking.com"
SECRET_NAMES = frozenset({"AT_API_KEY", "WEBHOOK_TOKEN", "SECRET_KEY"})


class ConfigError(Exception):
    """Start-up cannot go on; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Configuration is not valid:\n" + "\n".join(f"  - {p}" for p in problems))


DEFAULT_TIMEZONE = "Africa/Nairobi"


def local_today(tz_name: str = DEFAULT_TIMEZONE, now: datetime | None = None) -> date:
    """The local day at `now` (default: now) in the time zone named."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(tz_name)).date()


@dataclass(frozen=True)
class Config:
    database_url: str
    redis_url: str | None = None
    sms_gateway: str = "outbox"
    at_username: str | None = None
    at_api_key: str | None = field(default=None, repr=False)
    at_sender_id: str | None = None
    at_api_url: str = AT_LIVE_URL
    webhook_token: str | None = field(default=None, repr=False)
    timezone: str = DEFAULT_TIMEZONE
    sms_rate_per_second: float = 20.0
    port: int = 5000
    # the send pipeline's bounds (optional; defaults suit Africa's Talking)
    sms_retry_max_attempts: int = 6  # tries of a retryable failure before it fails with its reason
    sms_retry_max_hours: float = 6.0  # and no retry later than this after the first try
    sms_unknown_resend_minutes: float = 30.0  # an unknown must-arrive message is resent once after this
    sms_pause_minutes: float = 15.0  # stop-the-line cooldown
    # incoming SMS (optional)
    sms_keyword_prefix: str | None = None  # our keyword on a shared shortcode: texts start with it
    ussd_code: str | None = None  # e.g. *384*123#: named in help texts when set
    # transfers (optional): the follow-up ladder's days (reminder, Mentor Mother's list, tracing,
    # outcome due) and the price of one SMS part for previews, in the account's currency
    transfer_follow_up_days: tuple[int, int, int, int] = (3, 7, 14, 30)
    transfer_choice_days: int = 7  # a choice of clinic not made in this many days: the first stands
    transfer_arrival_goal: float = 0.8  # the board marks who has fewer arrived by day 30
    sms_cost_per_part: float = 0.80
    # visit reminders (optional): days before the visit, for every kind, per kind, and for visits
    # that need planning (at a new clinic, the 18-month infant test); the local times they go out
    reminder_days: tuple[int, ...] = (3, 1)
    reminder_days_by_kind: tuple[tuple[str, tuple[int, ...]], ...] = ()
    reminder_planning_days: tuple[int, ...] = (7, 3, 1)
    reminder_time: time = time(9, 0)
    missed_visit_time: time = time(10, 0)
    # after a visit not attended: days after it that it is missed, defaulted, lost to follow-up
    visit_follow_up_days: tuple[int, int, int] = (1, 7, 30)
    # care schedules for generated visits: a JSON file replacing the tables of the kinds it names
    # (sms_service/models/care.py); None: care.md's tables
    care_schedules: dict | None = None
    danger_signs_file: str | None = None  # a programme's own danger signs, added to the default list
    # broadcasts (optional): above this many recipients a supervisor (or an admin) approves first
    broadcast_approval_above: int = 1000
    # dashboard sessions: the key that signs their cookies (required in production; a local run
    # makes one up) and whether those cookies travel over HTTPS only
    secret_key: str | None = field(default=None, repr=False)
    secure_cookies: bool = False
    # the REST API's tokens expire this many days after they are made
    api_token_days: int = 365
    # /metrics needs `Authorization: Bearer <METRICS_TOKEN>` when it is set
    metrics_token: str | None = field(default=None, repr=False)
    # reverse proxies in front of the web process whose X-Forwarded-For is believed (werkzeug's
    # ProxyFix): 0 when the web process faces the network itself
    trusted_proxies: int = 0
    # the phone simulator without a login: only the local runner listening on loopback sets it
    simulator_open: bool = False
    testing: bool = False

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime | None = None) -> date:
        """The local day at `now` (default: now)."""
        return local_today(self.timezone, now)

    def with_overrides(self, **overrides) -> Config:
        return replace(self, **overrides)


def default_database_url(instance_path: Path) -> str:
    return f"sqlite:///{instance_path / 'sms_service.db'}"


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the operator used."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(environ=None, *, instance_path: Path | None = None, **overrides) -> Config:
    """Build a `Config` from environment variables (SPEC "Configuration") and overrides.

    Overrides use the lower-case field names (`database_url=...`) and win over the environment.
    """
    env = dict(os.environ if environ is None else environ)
    for key, value in overrides.items():
        env[key.upper()] = value if value is None or isinstance(value, str) else str(value)
    env = {k: v for k, v in env.items() if v is not None}
    problems: list[str] = []

    def text(name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    instance = instance_path or Path.cwd() / "instance"
    database_url = normalise_database_url(text("DATABASE_URL") or default_database_url(instance))
    try:
        backend = make_url(database_url).get_backend_name()
        if backend not in ("sqlite", "postgresql"):
            problems.append(f"DATABASE_URL: unsupported database '{backend}' (use sqlite or postgresql)")
    except ArgumentError:
        problems.append("DATABASE_URL: not a database URL (e.g. postgresql://user@host/db)")

    redis_url = text("REDIS_URL")
    if redis_url and urlsplit(redis_url).scheme not in ("redis", "rediss", "unix"):
        problems.append("REDIS_URL: must start with redis://, rediss:// or unix://")

    api_key = text("AT_API_KEY")
    gateway = (text("SMS_GATEWAY") or ("africastalking" if api_key else "outbox")).lower()
    if gateway not in GATEWAYS:
        problems.append(f"SMS_GATEWAY: must be one of {', '.join(GATEWAYS)}, not '{gateway}'")

    username = text("AT_USERNAME")
    token = text("WEBHOOK_TOKEN")
    if gateway == "africastalking":
        for name, value in (("AT_USERNAME", username), ("AT_API_KEY", api_key), ("WEBHOOK_TOKEN", token)):
            if not value:
                problems.append(f"{name}: required when SMS_GATEWAY=africastalking")

    secret_key = text("SECRET_KEY")
    if gateway == "africastalking" and not secret_key:
        problems.append("SECRET_KEY: required when SMS_GATEWAY=africastalking (signs dashboard sessions)")
    elif secret_key and len(secret_key) < 32:
        problems.append(
            "SECRET_KEY: at least 32 characters (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')"
        )
    secure = (text("SESSION_COOKIE_SECURE") or ("1" if gateway == "africastalking" else "0")).lower()
    if secure not in ("1", "0", "true", "false"):
        problems.append("SESSION_COOKIE_SECURE: 1 or 0")

    default_api = AT_SANDBOX_URL if username == "sandbox" else AT_LIVE_URL
    api_url = (text("AT_API_URL") or default_api).rstrip("/")
    parts = urlsplit(api_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        problems.append("AT_API_URL: must be an http(s) URL such as https://api.africastalking.com")

    timezone = text("TIMEZONE") or DEFAULT_TIMEZONE
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(f"TIMEZONE: unknown time zone '{timezone}'")

    rate = _number(text("SMS_RATE_PER_SECOND"), 20.0, float, "SMS_RATE_PER_SECOND", problems)
    port = _number(text("PORT"), 5000, int, "PORT", problems)
    pipeline = {  # the send pipeline's optional bounds, defaults as in `Config`
        name: _number(text(name.upper()), getattr(Config, name), kind, name.upper(), problems)
        for name, kind in (
            ("sms_retry_max_attempts", int),
            ("sms_retry_max_hours", float),
            ("sms_unknown_resend_minutes", float),
            ("sms_pause_minutes", float),
        )
    }
    ladder = _days(
        text("TRANSFER_FOLLOW_UP_DAYS"), "TRANSFER_FOLLOW_UP_DAYS", Config.transfer_follow_up_days, 4, problems
    )
    reminders = {
        "reminder_days": _days(text("REMINDER_DAYS"), "REMINDER_DAYS", Config.reminder_days, None, problems, True),
        "reminder_planning_days": _days(
            text("REMINDER_PLANNING_DAYS"),
            "REMINDER_PLANNING_DAYS",
            Config.reminder_planning_days,
            None,
            problems,
            True,
        ),
        "visit_follow_up_days": _days(
            text("VISIT_FOLLOW_UP_DAYS"), "VISIT_FOLLOW_UP_DAYS", Config.visit_follow_up_days, 3, problems
        ),
        "reminder_time": _clock(text("REMINDER_TIME"), "REMINDER_TIME", Config.reminder_time, problems),
        "missed_visit_time": _clock(text("MISSED_VISIT_TIME"), "MISSED_VISIT_TIME", Config.missed_visit_time, problems),
        "reminder_days_by_kind": _per_kind(text("REMINDER_DAYS_BY_KIND"), problems),
        "care_schedules": _schedules(text("CARE_SCHEDULES_FILE"), problems),
        "danger_signs_file": _danger_signs(text("DANGER_SIGNS_FILE"), problems),
        "broadcast_approval_above": _number(
            text("BROADCAST_APPROVAL_ABOVE"), Config.broadcast_approval_above, int, "BROADCAST_APPROVAL_ABOVE", problems
        ),
    }
    choice_days = _number(
        text("TRANSFER_CHOICE_DAYS"), Config.transfer_choice_days, int, "TRANSFER_CHOICE_DAYS", problems
    )
    goal = _number(
        text("TRANSFER_ARRIVAL_GOAL"), Config.transfer_arrival_goal, float, "TRANSFER_ARRIVAL_GOAL", problems
    )
    if goal is not None and goal > 1:
        problems.append("TRANSFER_ARRIVAL_GOAL: a share between 0 and 1, such as 0.8")
    cost = _number(text("SMS_COST_PER_PART"), Config.sms_cost_per_part, float, "SMS_COST_PER_PART", problems)
    token_days = _number(text("API_TOKEN_DAYS"), Config.api_token_days, int, "API_TOKEN_DAYS", problems)
    metrics_token = text("METRICS_TOKEN")
    if metrics_token is not None and len(metrics_token) < 16:
        problems.append("METRICS_TOKEN: at least 16 characters")
    proxies = text("TRUSTED_PROXIES") or "0"
    if not proxies.isdigit() or int(proxies) > 5:
        problems.append("TRUSTED_PROXIES: a whole number from 0 to 5 (the reverse proxies in front of the web process)")
    simulator_open = (text("SIMULATOR_OPEN") or "0").lower()
    if simulator_open not in ("1", "0", "true", "false"):
        problems.append("SIMULATOR_OPEN: 1 or 0")
    if port is not None and not 0 < port < 65536:
        problems.append(f"PORT: must be between 1 and 65535, not {port}")

    if problems:
        raise ConfigError(problems)
    return Config(
        database_url=database_url,
        redis_url=redis_url,
        sms_gateway=gateway,
        at_username=username,
        at_api_key=api_key,
        at_sender_id=text("AT_SENDER_ID"),
        at_api_url=api_url,
        webhook_token=token,
        timezone=timezone,
        sms_rate_per_second=rate,
        port=port,
        **pipeline,
        sms_keyword_prefix=text("SMS_KEYWORD_PREFIX"),
        ussd_code=text("USSD_CODE"),
        transfer_follow_up_days=ladder,
        transfer_choice_days=choice_days,
        transfer_arrival_goal=goal,
        **reminders,
        sms_cost_per_part=cost,
        secret_key=secret_key,
        secure_cookies=secure in ("1", "true"),
        api_token_days=token_days,
        metrics_token=metrics_token,
        trusted_proxies=int(proxies),
        simulator_open=simulator_open in ("1", "true"),
        testing=text("TESTING") in ("1", "true", "True"),
    )


def _number(raw, default, kind, name, problems):
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        problems.append(f"{name}: must be a {'whole ' if kind is int else ''}number, not '{raw}'")
        return None
    if value <= 0:
        problems.append(f"{name}: must be greater than 0")
    return value


def _days(raw, name, default, count, problems, descending=False):
    """ "3,7,14,30": whole days, increasing (or, for days before a visit, decreasing)."""
    if raw is None:
        return default
    try:
        days = tuple(int(part) for part in raw.replace(" ", "").split(","))
    except ValueError:
        days = ()
    ordered = all((b < a) if descending else (b > a) for a, b in zip(days, days[1:], strict=False))
    if not days or (count is not None and len(days) != count) or min(days) <= 0 or not ordered:
        shape = f"{count} " if count else ""
        order = "decreasing" if descending else "increasing"
        problems.append(
            f"{name}: {shape}{order} whole days greater than 0, such as {','.join(map(str, default))}, not '{raw}'"
        )
        return None
    return days


def _clock(raw, name, default, problems):
    if raw is None:
        return default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        problems.append(f"{name}: a local time such as 09:00, not '{raw}'")
        return None


def _danger_signs(path, problems):
    """A programme's danger signs (the shape of inbound/danger_signs.json): read once to check it."""
    if path is None:
        return None
    from .inbound.danger import load

    try:
        load(path)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        problems.append(f"DANGER_SIGNS_FILE: cannot be read as danger signs ({type(exc).__name__}: {exc})")
        return None
    return path


def _schedules(path, problems):
    """{"infant_test": [["test-6w", "weeks", 6], …], …}: care.md's tables, with these kinds replaced."""
    if path is None:
        return None
    import json

    from .models.care import SCHEDULES

    try:
        given = json.loads(Path(path).read_text(encoding="utf-8"))
        table = dict(SCHEDULES)
        for kind, steps in given.items():
            if kind not in SCHEDULES or not steps:
                raise ValueError(f"unknown kind {kind!r}")
            parsed = []
            for label, unit, n in steps:
                if unit not in ("days", "weeks", "months") or not isinstance(n, int) or n < 0:
                    raise ValueError(f"{kind}: {unit!r} {n!r}")
                parsed.append((str(label), (unit, n)))
            table[kind] = tuple(parsed)
        return table
    except (OSError, ValueError, TypeError) as exc:
        problems.append(
            f"CARE_SCHEDULES_FILE: kinds of {', '.join(SCHEDULES)}, each a list of "
            f"[label, days|weeks|months, number] ({type(exc).__name__}: {exc})"
        )
        return None


def _per_kind(raw, problems):
    """ "refill=1;infant_test=7,3,1": days before the visit for these kinds."""
    if raw is None:
        return ()
    from .models.clients import APPOINTMENT_KINDS

    plan = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        kind, _, days = part.partition("=")
        parsed = _days(days, "REMINDER_DAYS_BY_KIND", (3, 1), None, problems, True) if days else None
        if kind.strip() not in APPOINTMENT_KINDS or parsed is None:
            problems.append(
                f"REMINDER_DAYS_BY_KIND: 'kind=days;…' with kinds of {', '.join(APPOINTMENT_KINDS)}, not '{part}'"
            )
            continue
        plan.append((kind.strip(), parsed))
    return tuple(plan)


def describe(config: Config) -> dict[str, str]:
    """The configuration for printing: secrets shown only as set / not set."""
    shown = {}
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name.upper() in SECRET_NAMES:
            value = "(set)" if value else "(not set)"
        elif f.name in ("database_url", "redis_url") and value:
            value = hide_password(value)
        shown[f.name] = str(value)
    return shown


def hide_password(url: str) -> str:
    """A URL fit for printing: any password replaced by ***."""
    return re.sub(r"(//[^:/@]*:)[^@/]*@", r"\1***@", url)
