"""`sms-service users add|reset|disable|enable|list`: dashboard accounts. A password is read from standard input
(`--password-stdin`) or made up and printed once; it is never an argument (shell history)."""

from __future__ import annotations

import sys

import click

from .common import command_services, role_options


def _password(from_stdin: bool) -> tuple[str, bool]:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n"), False
    from ..accounts.users import new_password

    return new_password(), True


def _change(change) -> None:
    """Make `change(session)` in one transaction; a refusal is a usage error saying why."""
    from ..access import ScopeRefused
    from ..accounts.users import AccountRefused

    with command_services().db.session() as session:
        try:
            change(session)
        except (AccountRefused, ScopeRefused) as exc:
            raise click.UsageError(str(exc)) from None


def _show(password: str, made_up: bool) -> None:
    if made_up:  # never one typed in
        click.echo(f"Password (shown once): {password}")


@click.group("users")
def users_group() -> None:
    """Dashboard accounts."""


@users_group.command("add")
@click.argument("username")
@role_options
@click.option("--name", default="", help="The person's name, as the dashboard shows it.")
@click.option(
    "--language",
    type=click.Choice(["en", "sw"]),
    default=None,
    help="The pages' language [default: her Mentor Mother's, else en]",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_user(username, role, name, facility, mentor_mother, language, password_stdin) -> None:
    """Make an account for USERNAME."""
    from ..accounts.users import add

    password, made_up = _password(password_stdin)
    _change(
        lambda session: add(
            session,
            username,
            name=name,
            role=role,
            password=password,
            facility=facility,
            mentor_mother=mentor_mother,
            language=language,
        )
    )
    click.echo(f"Account {username.strip().lower()} made ({role}).")
    _show(password, made_up)


@users_group.command("reset")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from standard input.")
def reset_user(username, password_stdin) -> None:
    """A new password for USERNAME; its sessions end and its lock is lifted."""
    from ..accounts.users import reset
    from ..db import utcnow

    password, made_up = _password(password_stdin)
    _change(lambda session: reset(session, username, password, now=utcnow()))
    click.echo(f"Password of {username.strip().lower()} reset; its sessions have ended.")
    _show(password, made_up)


@users_group.command("disable")
@click.argument("username")
def disable_user(username) -> None:
    """USERNAME can no longer log in; its open sessions end now."""
    _set_active(username, False)


@users_group.command("enable")
@click.argument("username")
def enable_user(username) -> None:
    """USERNAME may log in again (with the password it had)."""
    _set_active(username, True)


def _set_active(username: str, active: bool) -> None:
    from ..accounts.users import set_active

    _change(lambda session: set_active(session, username, active))
    click.echo(f"Account {username.strip().lower()} {'enabled' if active else 'disabled'}.")


@users_group.command("list")
def list_users() -> None:
    """Every account: username, role, scope, last login, locked."""
    from sqlalchemy import select

    from ..db import utcnow
    from ..models import User

    now = utcnow()
    with command_services().db.session() as session:
        for u in session.scalars(select(User).order_by(User.username)):
            scope = (u.facility.code if u.facility else "") or (u.mentor_mother.code if u.mentor_mother else "")
            locked = "  LOCKED" if u.locked_until and u.locked_until > now else ""
            locked += "" if u.active else "  DISABLED"
            click.echo(f"{u.username:24} {u.role:14} {scope:12} last login {u.last_login_at or '-'}{locked}")
