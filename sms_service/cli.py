"""The `sms-service` command line (also `flask --app sms_service …`)."""

from __future__ import annotations

import importlib
import sys

import click
from flask import Flask
from flask.cli import ScriptInfo

from .commands.common import command_services, report
from .config import ConfigError


def load_app() -> Flask:
    """The app for a command: Flask's when run as `flask --app`, else built from the environment."""
    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context else None
    try:
        if info is not None:
            return info.load_app()
        from .app import create_app

        return create_app()
    except ConfigError as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)


class LazyGroup(click.Group):
    """Commands named here are imported only when used, so `--help` and each command start fast."""

    lazy = {
        "run": "sms_service.local.runner:run_command",
        "import": "sms_service.commands.imports:import_command",
        "close-site": "sms_service.commands.transfers:close_site_command",
        "transfers": "sms_service.commands.transfers:transfers_group",
        "api-tokens": "sms_service.commands.tokens:tokens_group",
        "users": "sms_service.commands.users:users_group",
        "appointments": "sms_service.commands.appointments:appointments_group",
        "translations": "sms_service.commands.translations:translations_group",
    }

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx, name):
        if name in self.lazy:
            module, attribute = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attribute)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup)
def main() -> None:
    """SMS and USSD service for Mentor Mother programmes."""
    from .logs import configure

    configure()


@main.command("check-templates")
def check_templates_command() -> None:
    """Check every template in every language: placeholders, GSM-7, parts, discreet wording; and
    the dashboard's Kiswahili catalogue: every word translated, its places kept, nothing revealing."""
    from .languages.review import check_dashboard
    from .texts.check import check_templates

    report([*check_templates(), *check_dashboard()], "the templates", "All templates pass.")


@main.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema."""
    from .bootstrap import get_services
    from .migrate import upgrade

    app = load_app()
    upgrade(get_services(app).config.database_url)
    click.echo("Database is up to date.")


@main.group("sending")
def sending_group() -> None:
    """Outbound SMS: see and control the line."""


@sending_group.command("status")
def sending_status() -> None:
    """Messages by status, and whether sending is paused."""
    from sqlalchemy import func, select

    from .models import OutboundMessage
    from .outbound.sending import PAUSE_KEY

    services = command_services()
    with services.db.session() as session:
        for status, count in session.execute(
            select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
        ):
            click.echo(f"{status:12} {count}")
    if services.config.redis_url is None:  # `sms-service run` keeps its own Redis: only it knows
        click.echo("REDIS_URL is not set: whether sending is paused is known to the running service only.")
        return
    paused = services.redis.get(PAUSE_KEY)
    until = paused.decode() if isinstance(paused, bytes) else paused
    click.echo(f"Sending paused until {until}" if until else "Sending is running.")


@sending_group.command("resume")
def sending_resume() -> None:
    """Resume sending after a stop-the-line pause (once the cause is fixed)."""
    from .outbound.sending import resume_sending

    click.echo("Sending resumed." if resume_sending(command_services()) else "Sending was not paused.")


@main.group("ussd")
def ussd_group() -> None:
    """The USSD menu."""


@ussd_group.command("check")
def ussd_check() -> None:
    """Walk every reachable screen in both languages with the longest realistic values."""
    from .ussd.check import cases, check

    report(
        check(),
        "the USSD screens",
        f"All USSD screens pass ({len(cases())} cases, both languages, up to 6 steps deep).",
    )


@ussd_group.command("simulate")
@click.argument("phone")
def ussd_simulate(phone: str) -> None:
    """Try the menu in this terminal as PHONE would, on the configured database."""
    from .bootstrap import get_services
    from .commands.ussd import simulate

    simulate(get_services(load_app()), phone)


COMMANDS = [check_templates_command, db_group, sending_group, ussd_group]


def register(app: Flask) -> None:
    """Make the same commands reachable as `flask --app sms_service …`."""
    for command in COMMANDS:
        app.cli.add_command(command)
    for name in (
        "import",
        "close-site",
        "transfers",
        "api-tokens",
        "appointments",
        "users",
    ):  # `run` stays Flask's own there
        app.cli.add_command(main.get_command(None, name))
