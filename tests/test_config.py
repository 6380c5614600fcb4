"""Configuration: every problem named at once, secrets never shown."""

import pytest

from sms_service import ConfigError, create_app
from sms_service.config import describe, load_config

BASE = {"DATABASE_URL": "sqlite:///x.db"}


def problems_of(environ):
    with pytest.raises(ConfigError) as caught:
        load_config(environ)
    return caught.value.problems


def test_defaults_for_local_use():
    config = load_config({})
    assert config.sms_gateway == "outbox"
    assert config.database_url.startswith("sqlite:///") and config.database_url.endswith("instance/sms_service.db")
    assert (config.timezone, config.sms_rate_per_second, config.port) == ("Africa/Nairobi", 20.0, 5000)
    assert config.redis_url is None


def test_api_key_selects_africastalking_and_requires_the_rest():
    problems = problems_of({**BASE, "AT_API_KEY": "k"})
    assert problems == [
        "AT_USERNAME: required when SMS_GATEWAY=africastalking",
        "WEBHOOK_TOKEN: required when SMS_GATEWAY=africastalking",
        "SECRET_KEY: required when SMS_GATEWAY=africastalking (signs dashboard sessions)",
    ]


def test_sandbox_username_points_at_the_sandbox():
    config = load_config(
        {
            **BASE,
            "AT_USERNAME": "sandbox",
            "AT_API_KEY": "k",
            "WEBHOOK_TOKEN": "t",
            "SECRET_KEY": "test-secret-key-of-at-least-32-chars",
        }
    )
    assert config.at_api_url == "https://api.sandbox.africastalking.com"


def test_postgres_urls_use_psycopg3():
    assert load_config({"DATABASE_URL": "postgres://u@h/db"}).database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("SMS_GATEWAY", "carrier-pigeon", "SMS_GATEWAY: must be one of africastalking, outbox"),
        ("PORT", "abc", "PORT: must be a whole number, not 'abc'"),
        ("PORT", "70000", "PORT: must be between 1 and 65535"),
        ("SMS_RATE_PER_SECOND", "-1", "SMS_RATE_PER_SECOND: must be greater than 0"),
        ("SMS_RATE_PER_SECOND", "fast", "SMS_RATE_PER_SECOND: must be a number"),
        ("TIMEZONE", "Mars/Olympus", "TIMEZONE: unknown time zone 'Mars/Olympus'"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL: unsupported database 'mysql'"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: not a database URL"),
        ("REDIS_URL", "http://localhost", "REDIS_URL: must start with redis://"),
        ("AT_API_URL", "ftp://x", "AT_API_URL: must be an http(s) URL"),
        ("SMS_RETRY_MAX_ATTEMPTS", "2.5", "SMS_RETRY_MAX_ATTEMPTS: must be a whole number"),
        ("SMS_RETRY_MAX_HOURS", "0", "SMS_RETRY_MAX_HOURS: must be greater than 0"),
        ("SMS_UNKNOWN_RESEND_MINUTES", "soon", "SMS_UNKNOWN_RESEND_MINUTES: must be a number"),
        ("SMS_PAUSE_MINUTES", "-5", "SMS_PAUSE_MINUTES: must be greater than 0"),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_malformed_values_are_named(name, value, expected):
    problems = problems_of({**BASE, name: value})
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_at_once_without_secrets():
    environ = {
        "SMS_GATEWAY": "africastalking",
        "AT_API_KEY": "s3cret-key-value",
        "PORT": "abc",
        "TIMEZONE": "Nowhere",
        "REDIS_URL": "http://x",
    }
    with pytest.raises(ConfigError) as caught:
        load_config(environ)
    message = str(caught.value)
    for name in ("AT_USERNAME", "WEBHOOK_TOKEN", "PORT", "TIMEZONE", "REDIS_URL"):
        assert name in message
    assert "s3cret-key-value" not in message


def test_create_app_refuses_bad_configuration():
    with pytest.raises(ConfigError, match="PORT"):
        create_app({"PORT": "x"})


def test_describe_hides_secrets_and_passwords():
    config = load_config(
        {
            "DATABASE_URL": "postgresql://svc:dbpass@db/sms",
            "REDIS_URL": "redis://:redispass@r:6379/0",
            "AT_USERNAME": "acme",
            "AT_API_KEY": "apikey123",
            "WEBHOOK_TOKEN": "tok456",
            "SECRET_KEY": "test-secret-key-of-at-least-32-chars",
        }
    )
    shown = " ".join(describe(config).values())
    for secret in ("dbpass", "redispass", "apikey123", "tok456", "test-secret-key"):
        assert secret not in shown
    assert describe(config)["at_api_key"] == "(set)"
    assert "apikey123" not in repr(config)


def test_send_pipeline_bounds_are_configurable():
    from datetime import timedelta

    from sms_service.outbound.sending import RetryPolicy

    config = load_config(
        {
            **BASE,
            "SMS_RETRY_MAX_ATTEMPTS": "3",
            "SMS_RETRY_MAX_HOURS": "1.5",
            "SMS_UNKNOWN_RESEND_MINUTES": "10",
            "SMS_PAUSE_MINUTES": "5",
        }
    )
    policy = RetryPolicy.from_config(config)
    assert (policy.max_attempts, policy.max_total, policy.pause) == (3, timedelta(hours=1.5), timedelta(minutes=5))
    assert config.sms_unknown_resend_minutes == 10
    defaults = RetryPolicy.from_config(load_config(BASE))
    assert (defaults.max_attempts, defaults.max_total, defaults.pause) == (6, timedelta(hours=6), timedelta(minutes=15))


def test_a_production_secret_key_is_required_and_long_enough_and_cookies_are_secure_there():
    production = {**BASE, "AT_USERNAME": "acme", "AT_API_KEY": "k", "WEBHOOK_TOKEN": "t"}
    assert problems_of({**production, "SECRET_KEY": "short"}) == [
        "SECRET_KEY: at least 32 characters (e.g. python3 -c 'import secrets; print(secrets.token_hex(32))')"
    ]
    config = load_config({**production, "SECRET_KEY": "k" * 32})
    assert config.secure_cookies and not load_config(BASE).secure_cookies
    assert not load_config({**production, "SECRET_KEY": "k" * 32, "SESSION_COOKIE_SECURE": "0"}).secure_cookies
