"""`sms-service api-tokens add|list|revoke`."""

from __future__ import annotations

import sys

import click

from ..access import ROLES
from .common import command_services


@click.group("api-tokens")
def tokens_group() -> None:
    """REST API tokens (each shown once, when made)."""


@tokens_group.command("add")
@click.argument("name")
@click.option(
    "--user",
    "username",
    metavar="USERNAME",
    help="The account it acts for: its role and scope, and it ends when the account is disabled.",
)
@click.option("--role", type=click.Choice(ROLES), help="A service token's role (a clinic's records system).")
@click.option("--facility", metavar="CODE", help="A supervisor service token's facility.")
@click.option("--mentor-mother", metavar="CODE", help="A Mentor Mother service token's Mentor Mother.")
@click.option("--days", type=click.IntRange(1, 3650), help="Days until it expires (default: API_TOKEN_DAYS, 365).")
def add_token(
    name: str, username: str | None, role: str | None, facility: str | None, mentor_mother: str | None, days: int | None
) -> None:
    """Make a token for NAME and print it (only its digest is kept): of an account (--user), or
    a named service token (--role, with --facility or --mentor-mother as the role needs)."""
    from sqlalchemy import select

    from .. import audit
    from ..access import ScopeRefused, scope_ids
    from ..api.auth import issue
    from ..models import User

    if (username is None) == (role is None):
        raise click.UsageError("give --user USERNAME (an account's token) or --role (a service token)")
    services = command_services()
    with services.db.session() as session:
        user = None
        if username is not None:
            user = session.scalar(select(User).where(User.username == username.strip().lower()))
            if user is None or not user.active:
                raise click.UsageError(f"no active account {username}")
        else:
            assert role is not None  # one of the two (checked above)
            try:
                facility_id, mentor_id = scope_ids(session, role, facility, mentor_mother)
            except ScopeRefused as exc:
                raise click.UsageError(str(exc)) from None
        token = issue(
            session,
            name,
            role,
            *((None, None) if user else (facility_id, mentor_id)),
            user=user,
            days=days or services.config.api_token_days,
        )
        audit.record(
            session,
            "cli",
            "api_token.add",
            subject_type="api_token",
            subject_id=name,
            origin="cli",
            role=user.role if user else role,
            user=user.username if user else None,
        )
    click.echo(token)


@tokens_group.command("list")
def list_tokens() -> None:
    """Every token: id, name, role, whose, when it expires, last used, revoked."""
    from sqlalchemy import select

    from ..db import utcnow
    from ..models import ApiToken, User

    now = utcnow()
    with command_services().db.session() as session:
        for t, owner in session.execute(
            select(ApiToken, User.username).outerjoin(User, User.id == ApiToken.user_id).order_by(ApiToken.id)
        ):
            whose = f"user {owner}" if owner else "service"
            expiry = (
                ("expired" if t.expires_at <= now else f"expires {t.expires_at:%Y-%m-%d}")
                if t.expires_at
                else "never expires"
            )
            click.echo(
                f"{t.id:4} {t.name:24} {t.role:14} {whose:18} {expiry:18} last used {t.last_used_at or '-'}"
                f"{'  REVOKED' if t.revoked_at else ''}"
            )


@tokens_group.command("revoke")
@click.argument("token_id", type=int)
def revoke_token(token_id: int) -> None:
    """Revoke token TOKEN_ID at once."""
    from .. import audit
    from ..db import utcnow
    from ..models import ApiToken

    with command_services().db.session() as session:
        token = session.get(ApiToken, token_id)
        if token is None:
            click.echo(f"no token {token_id}", err=True)
            sys.exit(2)
        token.revoked_at = token.revoked_at or utcnow()
        audit.record(session, "cli", "api_token.revoke", subject_type="api_token", subject_id=token_id, origin="cli")
    click.echo(f"Token {token_id} revoked.")
