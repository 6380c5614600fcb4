"""`sms-service appointments …`: generated visits, and outcomes from a clinic's file."""

from __future__ import annotations

import sys

import click

from .common import command_services, csv_file


@click.group("appointments")
def appointments_group() -> None:
    """Visits: generate them from care schedules, record outcomes, plan reminders."""


@appointments_group.command("generate")
def generate_command() -> None:
    """Make the visits care schedules call for (pregnancy: EDD; infants: birth) that no clinic
    date covers, from today on; a clinic's date for the same visit replaces a generated one."""
    from ..db import utcnow
    from ..reminders.generate import generate_visits
    from ..reminders.planner import plan_pending

    services = command_services()
    now = utcnow()
    with services.db.session() as session:
        done = generate_visits(session, now.astimezone(services.config.tz).date(), now, services.config)
        planned = plan_pending(session, now, services.config)
    click.echo(
        f"{done['generated']} visit(s) generated, {done['replaced']} replaced by a clinic's date, "
        f"{planned} reminder(s) planned"
    )


@appointments_group.command("record")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def record_command(file: str) -> None:
    """Outcomes from a CSV: client_id, date, kind (if she has two visits that day), outcome
    (attended, cancelled, rescheduled or missed), new_date and new_time (for rescheduled)."""
    from ..db import utcnow
    from ..reminders.outcomes import record_file

    services = command_services()
    csvfile = csv_file(file)
    with services.db.session() as session:
        report = record_file(session, csvfile, utcnow(), services.config)
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(report.summary())
    sys.exit(1 if report.errors else 0)
