"""`sms-service import KIND FILE`."""
from __future__ import annotations

import sys

import click

from .kinds import KINDS


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(KINDS)))
@click.argument("file", type=click.Path(dir_okay=False))
def import_command(kind: str, file: str) -> None:
    """Load a CSV of facilities, mentor-mothers, clients, appointments or transfers.

    Every bad row is reported with its line number and reason; every good row loads.
    Exit status: 0 all rows loaded, 1 some rows refused, 2 the file could not be read.
    """
    from ..cli import load_app
    from ..services import get_services
    from . import import_csv

    app = load_app()
    with get_services(app).db.session() as session:
        report = import_csv(session, kind, file, actor="cli", origin="cli", progress=True)
        if report.file_refused:
            session.rollback()
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(report.summary())
    sys.exit(2 if report.file_refused else 1 if report.errors else 0)
