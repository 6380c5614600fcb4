"""Two Mentor Mothers at one clinic, a receiving clinic, and the people who log in or call the API:
for scoping tests (nobody sees another's clients) of the pages and the API.

Zawadi (MM1, Mwangaza F1): Amina and Beth. Imani (MM2, also F1): Chausiku. Tumaini (F2) receives
Beth by transfer. Each client has a reminder on record and an open task."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sms_service.accounts.users import add
from sms_service.api.auth import issue
from sms_service.db import utcnow
from sms_service.followup.store import open_tasks
from sms_service.models import Client, FollowUpTask, MentorMother, Transfer
from sms_service.outbound.messages import create_message
from tests.support.programme import small_programme

PASSWORD = "a-long-test-password"


@dataclass
class People:
    clients: dict = field(default_factory=dict)  # first name → client id
    tokens: dict = field(default_factory=dict)  # admin, mwangaza, tumaini, zawadi, imani
    tasks: dict = field(default_factory=dict)  # first name → task id
    messages: dict = field(default_factory=dict)  # first name → outbound message id
    transfer_id: int = 0


def two_mentor_mothers(services) -> People:
    people = People()
    now = utcnow()
    with services.db.session() as s:
        p = small_programme(s)
        imani = MentorMother(code="MM2", name="Imani", phone="+254700000901", facility=p.mwangaza, language="en")
        s.add(imani)
        amina = p.client("Amina", "+254700000001")
        beth = p.client("Beth", "+254700000002", "en")
        chausiku = Client(
            external_id="C-Chausiku",
            first_name="Chausiku",
            phone="+254700000003",
            facility=p.mwangaza,
            mentor_mother=imani,
        )
        s.add(chausiku)
        s.flush()
        transfer = Transfer(
            client_id=beth.id,
            from_facility_id=p.mwangaza.id,
            to_facility_id=p.tumaini.id,
            effective_date=date.today() + timedelta(days=10),
            status="notified",
            source="api",
        )
        s.add(transfer)
        s.flush()
        for c in (amina, beth, chausiku):
            people.clients[c.first_name] = c.id
            message, _ = create_message(
                s,
                client_id=c.id,
                phone=c.phone,
                purpose="reminder",
                subject=f"test:{c.id}",
                body=f"Habari {c.first_name}, your visit is soon.",
                expires_at=now + timedelta(days=2),
                language=c.language,
            )
            people.messages[c.first_name] = message.id
        open_tasks(
            s,
            [
                {
                    "client_id": c.id,
                    "kind": "missed_visit",
                    "subject": f"test:{c.id}",
                    "dedupe_key": f"test:{c.id}",
                    "note": f"{c.first_name} missed her visit.",
                }
                for c in (amina, chausiku)
            ]
            + [
                {
                    "client_id": beth.id,
                    "kind": "transfer_unconfirmed",
                    "subject": f"transfer:{transfer.id}",
                    "dedupe_key": f"transfer_unconfirmed:{transfer.id}",
                    "note": "She has not confirmed.",
                }
            ],
            now=now,
            today=date.today(),
        )
        for task in s.query(FollowUpTask):
            people.tasks[s.get(Client, task.client_id).first_name] = task.id
        people.transfer_id = transfer.id
        people.tokens = {
            "admin": issue(s, "admin", "admin"),
            "mwangaza": issue(s, "Mwangaza desk", "supervisor", facility_id=p.mwangaza.id),
            "tumaini": issue(s, "Tumaini desk", "supervisor", facility_id=p.tumaini.id),
            "zawadi": issue(s, "Zawadi", "mentor_mother", mentor_mother_id=p.mentor.id),
            "imani": issue(s, "Imani", "mentor_mother", mentor_mother_id=imani.id),
        }
        add(s, "admin", name="Programme Admin", role="admin", password=PASSWORD)
        add(s, "mwangaza", name="Mwangaza Supervisor", role="supervisor", facility="F1", password=PASSWORD)
        add(s, "tumaini", name="Tumaini Supervisor", role="supervisor", facility="F2", password=PASSWORD)
        add(s, "zawadi", name="Zawadi", role="mentor_mother", mentor_mother="MM1", password=PASSWORD, language="sw")
        add(s, "imani", name="Imani", role="mentor_mother", mentor_mother="MM2", password=PASSWORD)
    return people
