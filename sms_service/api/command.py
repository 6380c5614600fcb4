"""`sms-service api-tokens add|list|revoke`."""
from __future__ import annotations

import sys

import click

from ..cli import command_services, role_options


@click.group("api-tokens")
def tokens_group() -> None:
    """REST API tokens (each shown once, when made)."""


@tokens_group.command("add")
@click.argument("name")
@role_options
def add_token(name: str, role: str, facility: str | None, mentor_mother: str | None) -> None:
    """Make a token for NAME and print it (only its digest is kept)."""
    from .. import audit
    from ..access import ScopeRefused, scope_ids
    from .auth import issue

    with command_services().db.session() as session:
        try:
            facility_id, mentor_id = scope_ids(session, role, facility, mentor_mother)
        except ScopeRefused as exc:
            raise click.UsageError(str(exc)) from None
        token = issue(session, name, role, facility_id, mentor_id)
        audit.record(session, "cli", "api_token.add", subject_type="api_token", subject_id=name, origin="cli",
                     role=role)
    click.echo(token)


@tokens_group.command("list")
def list_tokens() -> None:
    """Every token: id, name, role, last used, revoked."""
    from sqlalchemy import select

    from ..models import ApiToken

    with command_services().db.session() as session:
        for t in session.scalars(select(ApiToken).order_by(ApiToken.id)):
            click.echo(f"{t.id:4} {t.name:24} {t.role:14} last used {t.last_used_at or '-'}"
                       f"{'  REVOKED' if t.revoked_at else ''}")


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
