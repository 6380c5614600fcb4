"""`sms-service import KIND FILE`."""
from __future__ import annotations

import sys

import click

from .kinds import KINDS


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and show what it would do; change nothing.")
def import_command(kind: str, file: str, dry_run: bool) -> None:
    """Load a CSV of facilities, mentor-mothers, clients, appointments or transfers.

    Every bad row is reported with its line number and reason; every good row loads.
    New transfers start at once: visits moved, notices made (see --dry-run for the preview).
    Exit status: 0 all rows loaded, 1 some rows refused, 2 the file could not be read.
    """
    from ..cli import command_services
    from ..db import utcnow
    from . import import_csv

    services = command_services()
    started, planned = None, None
    with services.db.session() as session:
        report = import_csv(session, kind, file, actor="cli", origin="cli", progress=True)
        if kind == "appointments" and not report.file_refused:  # new and changed visits' reminders
            from ..reminders.planner import plan_pending

            planned = plan_pending(session, utcnow(), services.config)
        if kind == "transfers" and not report.file_refused:
            from ..transfers.begin import new_transfers, start

            started = start(session, new_transfers(session), now=utcnow(), config=services.config, actor="cli",
                            source="csv")
        if report.file_refused or dry_run:
            session.rollback()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    if planned is not None:
        click.echo(f"{planned} visit reminder(s) planned")
    for line in started.lines() if started is not None else ():
        click.echo(line)
    if dry_run:
        click.echo("Preview only: nothing was changed.")
    elif started is not None and started.notices:
        from ..dispatch import enqueue_due

        enqueue_due(services)
    sys.exit(2 if report.file_refused else 1 if report.errors else 0)
