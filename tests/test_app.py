"""The application factory and the command line around it."""

import os
import subprocess
import sys
from pathlib import Path

from sms_service import create_app
from sms_service.bootstrap import get_services
from sms_service.config import load_config

BIN = Path(sys.executable).parent


def test_factory_takes_a_mapping_and_overrides(sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url, "PORT": "5000"}, port=8080, sms_rate_per_second=5)
    config = get_services(app).config
    assert (config.port, config.sms_rate_per_second, config.database_url) == (8080, 5.0, sqlite_url)


def test_factory_takes_a_config_object(sqlite_url):
    app = create_app(load_config({"DATABASE_URL": sqlite_url}), timezone="UTC")
    assert get_services(app).config.timezone == "UTC"


def run_cli(*args, env=None):
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AT_", "SMS_", "DATABASE", "REDIS"))}
    return subprocess.run(args, capture_output=True, text=True, timeout=60, env={**environ, **(env or {})})


def test_check_templates_command_passes():
    result = run_cli(str(BIN / "sms-service"), "check-templates")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All templates pass." in result.stdout


def test_commands_reachable_through_flask(sqlite_url):
    result = run_cli(str(BIN / "flask"), "--app", "sms_service", "db", "upgrade", env={"DATABASE_URL": sqlite_url})
    assert result.returncode == 0, result.stderr
    assert "Database is up to date." in result.stdout


def test_bad_configuration_stops_a_command_naming_every_problem(sqlite_url):
    result = run_cli(
        str(BIN / "sms-service"),
        "db",
        "upgrade",
        env={
            "DATABASE_URL": sqlite_url,
            "PORT": "abc",
            "SMS_GATEWAY": "africastalking",
            "AT_API_KEY": "top-secret-key",
        },
    )
    assert result.returncode == 2
    for name in ("PORT", "AT_USERNAME", "WEBHOOK_TOKEN"):
        assert name in result.stderr
    assert "top-secret-key" not in result.stdout + result.stderr


def test_sending_resume_command(redis_url, sqlite_url):
    from redis import Redis

    from sms_service.outbound.sending import PAUSE_KEY

    Redis.from_url(redis_url).set(PAUSE_KEY, "2030-01-01T00:00:00+00:00")
    env = {"DATABASE_URL": sqlite_url, "REDIS_URL": redis_url}
    status = run_cli(str(BIN / "sms-service"), "sending", "status", env=env)
    assert "Sending paused until 2030-01-01" in status.stdout, status.stderr
    assert "Sending resumed." in run_cli(str(BIN / "sms-service"), "sending", "resume", env=env).stdout
    assert not Redis.from_url(redis_url).exists(PAUSE_KEY)
