"""`sms-service run`: the whole service on one machine — web, queue worker and scheduler.

With no REDIS_URL it starts a private Redis; with no DATABASE_URL it uses SQLite under
./instance/. Ctrl-C (or SIGTERM) stops the children, then Redis. If a child dies, the rest
are stopped and the runner exits non-zero naming it.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..config import ConfigError, describe, load_config

if TYPE_CHECKING:
    from ..config import Config

HEALTH_DEADLINE = 60.0

LOOPBACK = ("127.0.0.1", "localhost", "::1")  # an address only this machine reaches


@dataclass
class Child:
    name: str
    process: subprocess.Popen


def _start_children(env: dict, host: str, port: int) -> list[Child]:
    python = sys.executable
    commands = {
        "web": [
            python,
            "-m",
            "gunicorn",
            "--bind",
            f"{host}:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
            "sms_service:create_app()",
        ],
        "realtime worker": [python, "-m", "workers.worker", "realtime"],
        "worker": [python, "-m", "workers.worker", "bulk", "default"],
        "scheduler": [python, "-m", "workers.scheduler"],
    }
    return [Child(name, subprocess.Popen(command, env=env)) for name, command in commands.items()]


def _stop(children: list[Child]) -> None:
    for child in children:
        if child.process.poll() is None:
            child.process.terminate()
    deadline = time.monotonic() + 10
    for child in children:
        try:
            child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except OSError:
        return False


def _dead(children: list[Child]) -> Child | None:
    return next((c for c in children if c.process.poll() is not None), None)


@click.command("run")
@click.option("--demo", is_flag=True, help="Load invented demo data first (idempotent).")
@click.option("--port", type=int, default=None, help="Port for the web server (default: PORT or 5000).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
def run_command(demo: bool, port: int | None, host: str) -> None:
    """Run web, worker and scheduler together on this machine."""
    try:
        config = load_config()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    port = port or config.port
    if config.database_url.startswith("sqlite:///"):
        Path(config.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

    from ..migrate import upgrade
    from . import embedded_redis

    redis = None
    if not config.redis_url:
        redis = embedded_redis.start()
        config = config.with_overrides(redis_url=redis.url)
    children: list[Child] = []
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        upgrade(config.database_url)
        logins = _load_demo(config) if demo else None
        # one key for every web worker (sessions hold across them), made up for this run if unset
        env = {
            **os.environ,
            "DATABASE_URL": config.database_url,
            "REDIS_URL": config.redis_url,
            "SMS_GATEWAY": config.sms_gateway,
            "PORT": str(port),
            "SECRET_KEY": config.secret_key or secrets.token_hex(32),
            # the simulator without a login only where nobody else can reach it
            "SIMULATOR_OPEN": "1" if host in LOOPBACK else "0",
        }
        children = _start_children(env, host, port)
        base = f"http://{host}:{port}"
        deadline = time.monotonic() + HEALTH_DEADLINE
        while not _healthy(f"{base}/healthz"):
            if stopping.is_set() or _dead(children) or time.monotonic() > deadline:
                raise click.ClickException(_why_not_started(children))
            time.sleep(0.1)
        _print_urls(base, config, logins, host)
        while not stopping.is_set():
            dead = _dead(children)
            if dead is not None:
                raise click.ClickException(
                    f"the {dead.name} process stopped (exit {dead.process.returncode}); stopping the rest"
                )
            stopping.wait(0.5)
        click.echo("Stopping…")
    finally:
        _stop(children)
        if redis is not None:
            redis.stop()


def _why_not_started(children: list[Child]) -> str:
    dead = _dead(children)
    if dead is not None:
        return f"the {dead.name} process stopped (exit {dead.process.returncode}) before the service was up"
    return "the service did not answer /healthz in time"


def _load_demo(config: Config) -> tuple[list[str], str]:
    """Load the demo data and (re)set the demo accounts: their usernames and this run's password."""
    from datetime import datetime

    from ..db import Database, utcnow
    from ..transfers.begin import new_transfers, start
    from .demo import demo_accounts, load_demo

    db = Database(config.database_url)
    with db.session() as session:
        reports = load_demo(session, datetime.now(config.tz).date())
        started = start(session, new_transfers(session), now=utcnow(), config=config, actor="demo", source="csv")
        logins = demo_accounts(session)
    db.dispose()
    created = sum(r.created for r in reports.values())
    click.echo(
        f"Demo data loaded ({created} new records"
        + (f"; {started.notices} transfer notices to the outbox)." if started.notices else ").")
    )
    return logins


# Africa's Talking callbacks served today (tests check this against the app's routes)
WEBHOOKS = {
    "/webhooks/ussd": "USSD sessions",
    "/webhooks/ussd/events": "USSD end-of-session notices",
    "/webhooks/sms": "incoming SMS",
    "/webhooks/sms/delivery": "SMS delivery reports",
    "/webhooks/sms/optout": "bulk SMS opt-outs",
}


def _print_urls(
    base: str, config: Config, logins: tuple[list[str], str] | None = None, host: str = "127.0.0.1"
) -> None:
    shown = describe(config)
    if logins is not None:  # invented demo accounts on invented data: their password is for this run
        names, password = logins
        dashboard = f"  Dashboard: {base}/login  demo logins {', '.join(names)}; password {password}\n"
    else:
        dashboard = f"  Dashboard: {base}/login  (accounts: sms-service users add)\n"
    simulator = (
        f"  Simulator: {base}/simulator  a client's phone: USSD menu and SMS\n"
        if host in LOOPBACK
        else f"  Simulator: {base}/simulator  (admins: not on loopback)\n"
    )
    token = "?token=<WEBHOOK_TOKEN>" if config.webhook_token else " (WEBHOOK_TOKEN unset: every call refused)"
    hooks = "".join(f"  Webhook:   {base}{path}{token}  {what}\n" for path, what in WEBHOOKS.items())
    click.echo(
        "\nsms-service is running (Ctrl-C to stop)\n"
        f"{dashboard}{simulator}"
        f"  Service:   {base}/\n"
        f"  Health:    {base}/healthz\n"
        f"  Metrics:   {base}/metrics\n"
        f"{hooks}"
        f"  Database:  {shown['database_url']}\n"
        f"  Redis:     {shown['redis_url']}\n"
        f"  SMS:       {config.sms_gateway}\n",
    )
