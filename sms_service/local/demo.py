"""Invented demo data for `sms-service run --demo`: a closing site, two receiving clinics,
three Mentor Mothers, their clients, visits in the coming weeks and the transfers.

Loaded through the same importer as real data, so it is validated the same way and loading
it twice changes nothing. Names are invented; numbers are in the test range +25470000xxxx.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from ..importing import import_rows
from ..importing.report import ImportReport

FIRST_NAMES = [
    "Amina",
    "Zawadi",
    "Neema",
    "Imani",
    "Halima",
    "Rehema",
    "Asha",
    "Wanjiru",
    "Akinyi",
    "Nafula",
    "Chebet",
    "Mumbua",
    "Nyokabi",
    "Atieno",
    "Makena",
    "Kerubo",
    "Wairimu",
    "Auma",
    "Jepchirchir",
    "Saida",
    "Mwanaisha",
    "Furaha",
    "Tumaini",
    "Baraka",
    "Pendo",
    "Njeri",
    "Adhiambo",
    "Kagendo",
    "Mwende",
    "Nasimiyu",
]
CLOSING, NORTH, EAST = "DEMO-CLOSE", "DEMO-NORTH", "DEMO-EAST"


def demo_rows(today: date) -> dict[str, list[dict]]:
    closing_day = today + timedelta(days=30)
    facilities = [
        {
            "code": CLOSING,
            "name": "Mwangaza Community Clinic",
            "county": "Nairobi",
            "sub_county": "Kibra",
            "landmark": "behind the chief's camp",
            "landmark_sw": "nyuma ya ofisi ya chifu",
            "phone": "0700000900",
            "hours": "Mon-Fri 08:00-17:00",  # structured: said in each reader's language
            "closed_on": closing_day.isoformat(),
        },
        {
            "code": NORTH,
            "name": "Tumaini Health Centre",
            "county": "Nairobi",
            "sub_county": "Kasarani",
            "landmark": "opposite the bus stage",
            "landmark_sw": "mkabala na kituo cha matatu",
            "phone": "0700000901",
            "hours": "Mon-Sat 08:00-17:00",
        },
        {
            "code": EAST,
            "name": "Upendo Dispensary",
            "county": "Nairobi",
            "sub_county": "Embakasi",
            "landmark": "next to the market",
            "landmark_sw": "karibu na soko",
            "phone": "0700000902",
            "hours": "Mon-Fri 08:00-16:00",
        },
    ]
    mentor_mothers = [
        {
            "code": f"DEMO-MM{i}",
            "name": name,
            "phone": f"07000008{i:02d}",
            "facility_code": CLOSING,
            "language": language,
        }
        for i, (name, language) in enumerate(
            [("Grace Wambui", "sw"), ("Faith Achieng", "en"), ("Mercy Njoki", "sw")], start=1
        )
    ]
    clients, appointments, transfers = [], [], []
    for i, name in enumerate(FIRST_NAMES, start=1):
        pregnant = i % 2 == 1
        client_id = f"DEMO-C{i:03d}"
        clients.append(
            {
                "client_id": client_id,
                "first_name": name,
                "phone": f"0700000{i:03d}",
                "facility_code": CLOSING,
                "language": "en" if i % 3 == 0 else "sw",
                "mentor_mother_code": f"DEMO-MM{i % 3 + 1}",
                "stage": "pregnant" if pregnant else "postnatal",
                "edd": (today + timedelta(days=60 + 5 * i)).isoformat() if pregnant else "",
                "infant_dob": "" if pregnant else (today - timedelta(days=30 + 7 * i)).isoformat(),
            }
        )
        appointments.append(
            {
                "client_id": client_id,
                "date": (today + timedelta(days=2 + i)).isoformat(),
                "time": "09:00",
                "kind": "anc" if pregnant else "immunisation",
                "facility_code": CLOSING,
            }
        )
        transfers.append(
            {
                "client_id": client_id,
                "to_facility_code": NORTH if i % 2 else EAST,
                "effective_date": closing_day.isoformat(),
                "reason": "site closing",
            }
        )
    return {
        "facilities": facilities,
        "mentor-mothers": mentor_mothers,
        "clients": clients,
        "appointments": appointments,
        "transfers": transfers,
    }


def load_demo(session: Session, today: date) -> dict[str, ImportReport]:
    """Load the demo data; returns each kind's import report. Raises if any row is refused."""
    reports = {}
    for kind, rows in demo_rows(today).items():
        report = import_rows(
            session, kind, enumerate(rows, start=2), actor="demo", origin="cli", source="demo", today=today
        )
        if report.errors:
            raise RuntimeError(f"demo data refused: {report.errors[0]}")
        reports[kind] = report
    _quick_replies(session)
    return reports


QUICK_REPLIES = (
    ("Your Mentor Mother will call you today.", "Mama Mshauri wako atakupigia simu leo."),
    ("Please come to the clinic on your visit day and bring your clinic book.",
     "Tafadhali njoo kliniki siku ya miadi yako na ubebe kitabu chako cha kliniki."),
)  # fmt: skip


def _quick_replies(session: Session) -> None:
    """Two quick replies to answer with, once."""
    from ..access import Caller
    from ..db import utcnow
    from ..inbox import quick

    if not quick.offered(session):
        for en, sw in QUICK_REPLIES:
            quick.add(session, Caller("demo", "admin", "cli"), en, sw, now=utcnow())


# username (never a real account's: "demo-…"), name, role, scope
DEMO_ACCOUNTS: tuple[tuple[str, str, str, dict[str, str]], ...] = (
    ("demo-admin", "Demo Admin", "admin", {}),
    ("demo-supervisor", "Demo Supervisor (Tumaini)", "supervisor", {"facility": NORTH}),
    ("demo-grace", "Grace Wambui", "mentor_mother", {"mentor_mother": "DEMO-MM1"}),
)


def demo_accounts(session: Session) -> tuple[list[str], str]:
    """The demo's dashboard accounts, made or given a new password for this run (one for all):
    (usernames, password). Only ever for the invented demo data."""
    from sqlalchemy import select

    from ..accounts.users import add, new_password, reset
    from ..db import utcnow
    from ..models import User

    password = new_password()
    for username, name, role, scope in DEMO_ACCOUNTS:
        if session.scalar(select(User.id).where(User.username == username)) is None:
            add(session, username, name=name, role=role, password=password, actor="demo", **scope)
        else:
            reset(session, username, password, now=utcnow(), actor="demo")
    return [u for u, *_ in DEMO_ACCOUNTS], password
