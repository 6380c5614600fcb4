"""`sms-service close-site` and `sms-service transfers …`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from .common import command_services, csv_file


def _read_mapping(path: str) -> dict[str, str]:
    """client_id,to_facility_code (the transfers CSV's columns; others ignored)."""
    csvfile = csv_file(path)
    if csvfile.missing("client_id", "to_facility_code"):
        raise click.UsageError(f"{path}: the mapping needs the columns client_id and to_facility_code")
    return {row["client_id"]: row["to_facility_code"] for _, row in csvfile.rows() if row.get("client_id")}


def _read_capacity(given: tuple[str, ...]) -> dict[str, int]:
    """("A=300", "B=50,C=20") → {"A": 300, …}; a usage error names what cannot be read."""
    out: dict[str, int] = {}
    for item in (part.strip() for value in given for part in value.split(",") if part.strip()):
        code, _, places = item.partition("=")
        if not code.strip() or not places.strip().isdigit():
            raise click.UsageError(f"--capacity {item}: give CODE=N, such as F2=300")
        out[code.strip()] = int(places)
    return out


@click.command("close-site")
@click.argument("site")
@click.option(
    "--to",
    "to",
    metavar="CODE[,CODE…]",
    help="The clinic that receives the site's clients; with two or three codes, her notice offers "
    "them, numbered, and the first stands unless she chooses within TRANSFER_CHOICE_DAYS.",
)
@click.option(
    "--capacity",
    "capacity",
    multiple=True,
    metavar="CODE=N",
    help="Places at an offered clinic (repeat, or comma-separate): once full it is offered to nobody "
    "else and the next one stands.",
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    help="CSV of client_id,to_facility_code: each client's receiving clinic (others go to --to).",
)
@click.option("--effective", required=True, type=click.DateTime(["%Y-%m-%d"]), help="First day the site is closed.")
@click.option("--dry-run", is_flag=True, help="Show what would happen; change nothing.")
@click.option("--yes", is_flag=True, help="Do not ask before going ahead.")
def close_site_command(
    site: str,
    to: str | None,
    capacity: tuple[str, ...],
    mapping: str | None,
    effective: datetime,
    dry_run: bool,
    yes: bool,
) -> None:
    """Close SITE from --effective and transfer all its active clients.

    Shows the preview (clients per receiving clinic, SMS parts, estimated cost, clients
    without a usable phone, clients on their way to SITE who are sent on) and asks before going
    ahead when run at a terminal. Running it again transfers and notifies nobody twice.
    """
    from ..db import utcnow
    from ..outbound.dispatch import enqueue_due
    from ..transfers.closure import ClosureRefused, close_site

    if not to and not mapping:
        raise click.UsageError("give --to TO_CODE, --mapping FILE, or both")
    places = _read_capacity(capacity)
    services = command_services()
    clients = _read_mapping(mapping) if mapping else None

    def run(for_real: bool):
        with services.db.session() as session:
            closure = close_site(
                session,
                site,
                effective=effective.date(),
                to=to,
                mapping=clients,
                capacity=places,
                now=utcnow(),
                config=services.config,
                actor="cli",
                origin="cli",
            )
            if not for_real:
                session.rollback()
        return closure

    from sqlalchemy.exc import OperationalError

    try:
        if dry_run or (sys.stdin.isatty() and not yes):
            for line in run(False).lines():
                click.echo(line)
            if dry_run:
                click.echo("Preview only: nothing was changed.")
                return
            click.confirm("Go ahead?", abort=True)
        closure = run(True)
    except ClosureRefused as exc:
        for problem in exc.problems:
            click.echo(f"refused: {problem}", err=True)
        sys.exit(2)
    except OperationalError:  # SQLite: another writer (a closure, an import) held the database too long
        click.echo("refused: the database is busy with other work (another closure or an import): try again", err=True)
        sys.exit(2)
    if not (sys.stdin.isatty() and not yes):
        for line in closure.lines():
            click.echo(line)
    if not services.config.redis_url:  # a second terminal beside `sms-service run`, say
        click.echo(
            "Done. REDIS_URL is not set here: the running scheduler hands the notices to the workers "
            "within a minute, each in its send window."
        )
        return
    queued = enqueue_due(services)
    click.echo(f"Done. {queued} message(s) handed to the queue now; the rest go out in their send window.")


@click.group("transfers")
def transfers_group() -> None:
    """Care transfers: progress, referral lists, arrivals and outcomes."""


@transfers_group.command("report")
@click.argument("site", required=False)
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False), help="Also write the report as CSV here.")
def report_command(site: str | None, csv_path: str | None) -> None:
    """Counts per closing site and receiving clinic, and who needs following up."""
    from ..transfers.report import as_csv, as_text, muted, muted_line, progress

    with command_services().db.session() as session:
        lines, needs = progress(session, site)
        silent = muted(session, site)
    click.echo(as_text(lines, needs))
    click.echo(muted_line(silent))
    if csv_path:
        Path(csv_path).write_text(as_csv(lines, needs, silent), encoding="utf-8")
        click.echo(f"Written to {csv_path}")


@transfers_group.command("referrals")
@click.option("--to", "clinic", metavar="CODE", help="One receiving clinic (default: every one).")
@click.option("--out", "out_dir", default=".", type=click.Path(file_okay=False), help="Directory for the files.")
def referrals_command(clinic: str | None, out_dir: str) -> None:
    """Write referrals-CODE.csv per receiving clinic: the clients coming to it (never sent by SMS)."""
    from .. import audit
    from ..transfers.referrals import receiving_clinics, referral_csv

    Path(out_dir).mkdir(parents=True, exist_ok=True)
    with command_services().db.session() as session:
        for code in [clinic] if clinic else receiving_clinics(session):
            path = Path(out_dir) / f"referrals-{code}.csv"
            text = referral_csv(session, code)
            path.write_text(text, encoding="utf-8")
            audit.record(
                session,
                "cli",
                "transfers.referrals",
                subject_type="facility",
                subject_id=code,
                origin="cli",
                clients=text.count("\n") - 1,
            )
            click.echo(f"{path}: {text.count(chr(10)) - 1} client(s)")


@transfers_group.command("record")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--by",
    type=click.Choice(["clinic", "mentor-mother", "staff"]),
    default="clinic",
    help="Who reports these outcomes (recorded as the cause).",
)
def record_command(file: str, by: str) -> None:
    """Record arrivals and outcomes from a CSV: client_id, outcome (default arrived), note."""
    from ..db import utcnow
    from ..transfers.outcomes import record_file

    services = command_services()
    with services.db.session() as session:
        report = record_file(
            session, csv_file(file), cause=by.replace("-", "_"), actor="cli", now=utcnow(), config=services.config
        )
    for error in report.errors:
        click.echo(error, err=True)
    click.echo(report.summary())
    sys.exit(1 if report.errors else 0)


@transfers_group.command("follow-up")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="Act as on this day (default: today).")
def follow_up_command(day: datetime | None) -> None:
    """Take the follow-up's due steps now: the ladder, choices of clinic, check-ins (the scheduler
    does this every tick)."""
    from datetime import time

    from ..db import utcnow
    from ..transfers.watch import watch

    services = command_services()
    now = utcnow() if day is None else datetime.combine(day.date(), time(12), services.config.tz).astimezone(UTC)
    with services.db.session() as session:
        done = watch(session, now, services.config)
    click.echo(", ".join(f"{k}: {v}" for k, v in done.items()))
