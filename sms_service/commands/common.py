"""What the commands share: the services a command runs on, the options naming whom an account
or a token is for, reading a CSV, and reporting problems (exit 1) or that all pass."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from flask.cli import ScriptInfo

from ..config import ConfigError

if TYPE_CHECKING:
    from ..resources import Services


def command_services() -> Services:
    """The configured services for a command: the app's when run as `flask --app` (or by a test's
    CLI runner), else built from the environment (exit 2 naming every problem if it is not valid)."""
    from ..bootstrap import from_the_environment, get_services  # here: `--help` starts without Redis's client

    context = click.get_current_context(silent=True)
    info = context.find_object(ScriptInfo) if context else None
    if info is not None:
        try:
            return get_services(info.load_app())
        except ConfigError as exc:
            click.echo(str(exc), err=True)
            sys.exit(2)
    return from_the_environment()


def role_options(command):
    """--role, --facility (a supervisor's) and --mentor-mother (hers): whom a token or an account is for."""
    from ..access import ROLES

    for option in reversed(
        [
            click.option("--role", type=click.Choice(ROLES), required=True),
            click.option("--facility", metavar="CODE", help="A supervisor's facility (a receiving clinic, or a site)."),
            click.option("--mentor-mother", metavar="CODE", help="The Mentor Mother it is for."),
        ]
    ):
        command = option(command)
    return command


def csv_file(path: str):
    """The CSV at `path` for a command, or a usage error saying why it cannot be read."""
    from ..csvio import Unreadable, read_csv

    try:
        return read_csv(path)
    except Unreadable as exc:
        raise click.UsageError(f"{path}: {exc}") from None


def report(problems: list, where: str, all_pass: str) -> None:
    """Each problem on a line and exit 1, or say all pass."""
    for problem in problems:
        click.echo(str(problem))
    if problems:
        click.echo(f"{len(problems)} problem(s) in {where}", err=True)
        sys.exit(1)
    click.echo(all_pass)
