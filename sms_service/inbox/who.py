"""Who did something, as a person reads it: the audit log's and the transfer history's actors
("user:3", "mentor_mother:MM01", "client:12", "cli") made names and plain words."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import ApiToken, Client, MentorMother, User

PLAIN = {"cli": "who.cli", "system": "who.system", "gateway": "who.gateway", "demo": "who.system", "api": "who.api"}


def names(session: Session, actors: set[str]) -> dict[str, str]:
    """Each actor's name; a word key (`who.…`) for the service's own parts; the actor itself
    when it is nobody known."""
    found: dict[str, str] = {a: PLAIN.get(a, a) for a in actors}
    wanted: dict[str, dict[str, str]] = {"user": {}, "mentor_mother": {}, "client": {}, "token": {}}
    for actor in actors:
        kind, _, key = actor.partition(":")
        if kind in wanted and key:
            wanted[kind][key] = actor
    users = [int(k) for k in wanted["user"] if k.isdigit()]
    if users:
        for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(users))):
            found[wanted["user"][str(uid)]] = name
    if wanted["mentor_mother"]:  # by her id (a person, `access.person_of`) or her code (an actor)
        keys = list(wanted["mentor_mother"])
        ids = [int(k) for k in keys if k.isdigit()]
        for mid, code, name in session.execute(
            select(MentorMother.id, MentorMother.code, MentorMother.name).where(
                or_(MentorMother.code.in_(keys), MentorMother.id.in_(ids))
            )
        ):
            for key in (str(mid), code):
                if key in wanted["mentor_mother"]:
                    found[wanted["mentor_mother"][key]] = name
    tokens = [int(k) for k in wanted["token"] if k.isdigit()]
    if tokens:
        for tid, name in session.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(tokens))):
            found[wanted["token"][str(tid)]] = name
    clients = [int(k) for k in wanted["client"] if k.isdigit()]
    if clients:
        for cid, name in session.execute(select(Client.id, Client.first_name).where(Client.id.in_(clients))):
            found[wanted["client"][str(cid)]] = name
    return found
