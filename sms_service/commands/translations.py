"""`sms-service translations`: the translator's round trip (README, "Translations")."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group("translations")
def translations_group() -> None:
    """Every text as Kiswahili .po files for a translator, and a reviewed file taken back in."""


@translations_group.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def export_command(directory: Path) -> None:
    """Write sms.po, ussd.po and messages.po (the dashboard) into DIRECTORY."""
    from ..languages.review import export

    for path in export(directory):
        click.echo(str(path))


@translations_group.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--check-only", is_flag=True, help="Check the files and change nothing.")
def import_command(files: tuple[Path, ...], check_only: bool) -> None:
    """Check each reviewed FILE as every text is checked; take it in only if it passes."""
    from ..languages.review import take_in

    failed = False
    for path in files:
        problems, changed = take_in(path, write=not check_only)
        for problem in problems:
            click.echo(str(problem))
        if problems:
            failed = True
            click.echo(f"{path.name}: {len(problems)} problem(s); nothing taken in", err=True)
        else:
            verb = "would change" if check_only else "taken in:"
            click.echo(f"{path.name}: passes; {verb} {changed} text(s)")
    if failed:
        sys.exit(1)


@translations_group.command("update")
def update_command() -> None:
    """Bring the dashboard's catalogues up to the code (after a page's words change)."""
    from ..languages.dashboard import update

    for language, lacking in update().items():
        click.echo(f"{language}: {lacking} word(s) to translate")
