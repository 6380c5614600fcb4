"""`sms-service import KIND FILE`."""

from __future__ import annotations

import sys

import click

from ..importing.kinds import KINDS


@click.command("import")
@click.argument("kind", type=click.Choice(sorted([*KINDS, "events"])))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what it would do; change nothing.")
def import_command(kind: str, file: str, dry_run: bool) -> None:
    """Load a CSV of facilities, mentor-mothers, clients, appointments, transfers or (life) events.

    Every bad row is reported with its line number and reason; every good row loads.
    New transfers start at once: visits moved, notices made (see --dry-run for the preview).
    Life events (client_id, kind, date, infant_dob, new_phone, note) act at once, each whole.
    Exit status: 0 all rows loaded, 1 some rows refused, 2 the file could not be read.
    """
    from ..importing.loader import load
    from .common import command_services

    if kind == "events":
        return _import_events(file, dry_run)
    loaded = load(command_services(), kind, file, actor="cli", origin="cli", dry_run=dry_run, progress=True)
    report = loaded.report
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    for line in loaded.after.lines():
        click.echo(line)
    if dry_run:
        click.echo("Preview only: nothing was changed.")
    sys.exit(2 if report.file_refused else 1 if report.errors else 0)


def _import_events(file: str, dry_run: bool) -> None:
    from ..access import Caller
    from ..db import utcnow
    from ..life_events.csvfile import import_events
    from .common import command_services, csv_file

    services = command_services()
    with services.db.session() as session:
        report = import_events(
            session, csv_file(file), by=Caller("cli", "admin", "csv"), now=utcnow(), config=services.config
        )
        if dry_run:
            session.rollback()
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(report.summary())
    if dry_run:
        click.echo("Preview only: nothing was changed.")
    sys.exit(2 if report.file_refused else 1 if report.errors else 0)
