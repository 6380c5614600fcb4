"""Data loading: every CSV kind, bad rows reported by line, good rows loaded, re-runs harmless."""

from datetime import date, time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from sms_service.commands.imports import import_command
from sms_service.db import Database
from sms_service.importing import import_csv
from sms_service.models import Appointment, AuditEntry, Client, Facility, Infant, MentorMother, Transfer

FACILITIES = """code,name,county,sub_county,landmark,phone,hours,closed_on
F001,Mwangaza Health Centre,Nairobi,Kibra,near the market,020 1234567,Mon-Fri 8am-5pm,2026-12-31
F002,Tumaini Clinic,Nairobi,Kasarani,opposite the church,0700000900,Mon-Sat 8am-5pm,
F003,Upendo Dispensary,Nairobi,Embakasi,,,,
"""
MENTOR_MOTHERS = """code,name,phone,facility_code,language
MM01,Grace Wambui,0700000801,F001,sw
MM02,Faith Achieng,0700000802,F002,en
"""
CLIENTS = """client_id,first_name,phone,facility_code,language,mentor_mother_code,stage,edd,infant_dob
C001,Amina,0700 000 001,F001,en,MM01,pregnant,2027-01-10,
C002,Zawadi,700000002,F001,,MM01,postnatal,,2026-10-01
C003,Neema,254700000003,F001,SW,,,,
C004,Imani,+254-700-000-004,F002,,MM02,,,
C005,Halima,0700-000-005,F002,,,,,
"""


def csv_file(tmp_path, name, text):
    path = tmp_path / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def load(db, tmp_path, kind, text):
    with db.session() as session:
        return import_csv(session, kind, csv_file(tmp_path, kind, text))


@pytest.fixture
def base(db, tmp_path):
    for kind, text in (("facilities", FACILITIES), ("mentor-mothers", MENTOR_MOTHERS), ("clients", CLIENTS)):
        report = load(db, tmp_path, kind, text)
        assert report.errors == [], report.errors
    return db


def test_every_kind_loads(base, tmp_path):
    report = load(
        base,
        tmp_path,
        "appointments",
        "client_id,date,time,kind,facility_code\nC001,2026-12-01,09:30,anc,\nC002,2026-12-02,,immunisation,F002\n",
    )
    assert (report.created, report.errors) == (2, [])
    report = load(
        base,
        tmp_path,
        "transfers",
        "client_id,to_facility_code,effective_date,reason\nC001,F002,2026-12-15,site closing\n",
    )
    assert (report.created, report.errors) == (1, [])
    with base.session() as s:
        assert s.scalar(select(func.count()).select_from(Facility)) == 3
        assert s.scalar(select(func.count()).select_from(MentorMother)) == 2
        amina = s.scalars(select(Client).where(Client.external_id == "C001")).one()
        assert (amina.language, amina.stage, amina.edd, amina.mentor_mother.code) == (
            "en",
            "pregnant",
            date(2027, 1, 10),
            "MM01",
        )
        assert s.scalars(select(Client.language).where(Client.external_id == "C002")).one() == "sw"  # default
        infant = s.scalars(select(Infant)).one()
        assert infant.dob == date(2026, 10, 1)
        visits = {a.kind: a for a in s.scalars(select(Appointment))}
        assert visits["anc"].time == time(9, 30) and visits["anc"].facility.code == "F001"  # her clinic
        assert visits["immunisation"].facility.code == "F002" and visits["immunisation"].infant_id == infant.id
        transfer = s.scalars(select(Transfer)).one()
        assert (transfer.status, transfer.from_facility.code, transfer.to_facility.code) == ("planned", "F001", "F002")
        facility = s.scalars(select(Facility).where(Facility.code == "F001")).one()
        assert (facility.phone, facility.closed_on) == ("+254201234567", date(2026, 12, 31))


def test_mixed_phone_formats_stored_as_e164(base):
    with base.session() as s:
        phones = dict(s.execute(select(Client.external_id, Client.phone)).all())
    assert phones == {
        "C001": "+254700000001",
        "C002": "+254700000002",
        "C003": "+254700000003",
        "C004": "+254700000004",
        "C005": "+254700000005",
    }


BAD_ROWS = [
    ("bad date", "C101,Asha,0700000101,F001,,,,2026-13-01,", "line 2: edd: '2026-13-01' is not a date as YYYY-MM-DD"),
    ("bad phone", "C101,Asha,12345,F001,,,,,", "line 2: phone: not a Kenyan mobile number"),
    ("landline", "C101,Asha,020 1234567,F001,,,,,", "line 2: phone: not a mobile number"),
    ("bad language", "C101,Asha,0700000101,F001,fr,,,,", "line 2: language: 'fr' is not one of en, sw"),
    ("bad stage", "C101,Asha,0700000101,F001,,,expecting,,", "line 2: stage: 'expecting' is not one of pregnant"),
    ("missing name", "C101,,0700000101,F001,,,,,", "line 2: first_name: required, but empty"),
    ("unknown facility", "C101,Asha,0700000101,F999,,,,,", "line 2: facility_code: unknown facility code F999"),
    (
        "unknown mentor mother",
        "C101,Asha,0700000101,F001,,MM99,,,",
        "line 2: mentor_mother_code: unknown Mentor Mother code MM99",
    ),
]


@pytest.mark.parametrize("label, row, error", BAD_ROWS, ids=[c[0] for c in BAD_ROWS])
def test_bad_row_reported_and_good_rows_still_load(base, tmp_path, label, row, error):
    header = CLIENTS.splitlines()[0]
    report = load(base, tmp_path, "clients", f"{header}\n{row}\nC102,Rehema,0700000102,F001,,,,,\n")
    assert [str(e) for e in report.errors][0].startswith(error)
    assert (report.created, report.refused) == (1, 1)
    with base.session() as s:
        assert s.scalar(select(func.count()).select_from(Client)) == 6


def test_duplicate_rows(base, tmp_path):
    header = CLIENTS.splitlines()[0]
    report = load(
        base,
        tmp_path,
        "clients",
        f"{header}\nC201,Asha,0700000201,F001,,,,,\nC201,Asha,0700000201,F001,,,,,\nC201,Asha,0700000299,F001,,,,,\n",
    )
    assert (report.created, report.duplicates) == (1, 1)
    assert [str(e) for e in report.errors] == ["line 4: client_id: C201 already given on line 2 with different values"]


def test_same_file_twice_changes_nothing(base, tmp_path):
    def snapshot():
        with base.session() as s:
            return [
                tuple(getattr(c, f) for f in ("id", "phone", "language", "updated_at"))
                for c in s.scalars(select(Client).order_by(Client.id))
            ]

    before = snapshot()
    report = load(base, tmp_path, "clients", CLIENTS)
    assert report.counts() == {"created": 0, "updated": 0, "unchanged": 5, "duplicates": 0, "refused": 0}
    assert snapshot() == before
    with base.session() as s:
        assert s.scalar(select(func.count()).select_from(Infant)) == 1


def test_changed_values_update_only_given_columns(base, tmp_path):
    report = load(base, tmp_path, "clients", "client_id,first_name,phone,facility_code\nC001,Amina,0700000011,F001\n")
    assert (report.updated, report.unchanged) == (1, 0)
    with base.session() as s:
        amina = s.scalars(select(Client).where(Client.external_id == "C001")).one()
        assert (amina.phone, amina.language, amina.stage) == ("+254700000011", "en", "pregnant")  # others kept


def test_missing_required_column_refuses_the_file(db, tmp_path):
    report = load(db, tmp_path, "clients", "client_id,first_name,facility_code\nC1,Asha,F001\n")
    assert [str(e) for e in report.errors] == ["missing required column(s): phone"]
    assert report.file_refused and report.created == 0


def test_byte_order_mark_and_unknown_columns(db, tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbfcode,name,colour\nF010,Baraka Clinic,blue\n")
    with db.session() as session:
        report = import_csv(session, "facilities", path)
    assert report.created == 1 and report.warnings == ["ignored unknown column(s): colour"]


TRANSFER_ROWS = [
    ("to her own clinic", "C001,F001,2026-12-15,", "line 2: to_facility_code: client C001 is already at F001"),
    ("to a closed clinic", "C004,F001,2027-01-05,", "line 2: to_facility_code: F001 is closed from 2026-12-31"),
    ("unknown client", "C999,F002,2026-12-15,", "line 2: client_id: unknown client C999"),
]


@pytest.mark.parametrize("label, row, error", TRANSFER_ROWS, ids=[c[0] for c in TRANSFER_ROWS])
def test_transfer_rows_refused(base, tmp_path, label, row, error):
    report = load(base, tmp_path, "transfers", f"client_id,to_facility_code,effective_date,reason\n{row}\n")
    assert [str(e) for e in report.errors] == [error]


def test_second_open_transfer_to_another_clinic_refused(base, tmp_path):
    report = load(
        base,
        tmp_path,
        "transfers",
        "client_id,to_facility_code,effective_date\nC001,F002,2026-12-15\nC001,F003,2026-12-15\n",
    )
    assert report.created == 1
    assert [str(e) for e in report.errors] == [
        "line 3: client_id: client C001 already has an open transfer to F002; cancel it first"
    ]


def test_each_import_is_audited_without_row_contents(base):
    with base.session() as s:
        entries = s.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["import.facilities", "import.mentor-mothers", "import.clients"]
    assert entries[-1].detail == {"created": 5, "updated": 0, "unchanged": 0, "duplicates": 0, "refused": 0}
    assert entries[-1].subject_id == "clients.csv" and "0700" not in str(entries[-1].detail)


def test_command_reports_lines_and_exit_codes(database_url, tmp_path):
    cli = CliRunner()
    env = {"DATABASE_URL": database_url, "SMS_GATEWAY": "outbox"}
    ok = cli.invoke(import_command, ["facilities", str(csv_file(tmp_path, "f", FACILITIES))], env=env)
    assert ok.exit_code == 0, ok.output
    assert "facilities: 3 created, 0 updated, 0 unchanged, 0 duplicates, 0 refused" in ok.output
    partial = cli.invoke(
        import_command, ["clients", str(csv_file(tmp_path, "c", CLIENTS + "C009,Asha,123,F001\n"))], env=env
    )
    assert partial.exit_code == 1
    assert "line 7: phone:" in partial.output  # and three rows name Mentor Mothers not loaded here
    assert "clients: 2 created, 0 updated, 0 unchanged, 0 duplicates, 4 refused" in partial.output
    refused = cli.invoke(import_command, ["clients", str(csv_file(tmp_path, "x", "client_id\nC1\n"))], env=env)
    assert refused.exit_code == 2 and "missing required column(s): first_name, phone, facility_code" in refused.output
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"code,name\nF9,Kliniki ya Mwangaza \xe9\n")  # Latin-1, as some spreadsheets save
    unreadable = cli.invoke(import_command, ["facilities", str(latin1)], env=env)
    assert unreadable.exit_code == 2 and "not UTF-8 text" in unreadable.output


WORDED = "code,name,landmark,hours,landmark_sw,hours_sw\n"
FACILITY_BAD_ROWS = [
    ("Kiswahili hours alone", "F9,Kilimani,,,,Jumatatu-Ijumaa", "line 2: hours_sw: give hours too"),
    ("Kiswahili landmark alone", "F9,Kilimani,,,karibu na soko,", "line 2: landmark_sw: give landmark too"),
    ("hours too long", "F9,Kilimani,,Mon-Fri " + "8am-5pm " * 10 + ",,", "line 2: hours: at most 80 characters"),
    ("Kiswahili hours too long", "F9,Kilimani,,Mon-Fri,," + "saa 2 " * 15, "line 2: hours_sw: at most 80 characters"),
    ("landmark too long", "F9,Kilimani," + "x" * 121 + ",,,", "line 2: landmark: at most 120 characters"),
]


@pytest.mark.parametrize("label, row, error", FACILITY_BAD_ROWS, ids=[c[0] for c in FACILITY_BAD_ROWS])
def test_a_facility_row_with_bad_words_is_refused_naming_the_column(db, tmp_path, label, row, error):
    report = load(db, tmp_path, "facilities", f"{WORDED}{row}\nF8,Upendo,the market,Mon-Sat 08:00-17:00,,\n")
    assert [str(e) for e in report.errors][0].startswith(error), [str(e) for e in report.errors]
    assert (report.created, report.refused) == (1, 1)


def test_a_facilitys_kiswahili_landmark_and_hours_load_and_change(db, tmp_path):
    row = "F9,Kilimani,the market,Mon-Fri 8am-5pm,karibu na soko,Jumatatu-Ijumaa saa 2-11\n"
    assert load(db, tmp_path, "facilities", WORDED + row).created == 1
    with db.session() as s:
        f = s.scalar(select(Facility).where(Facility.code == "F9"))
        assert (f.landmark_sw, f.hours_sw) == ("karibu na soko", "Jumatatu-Ijumaa saa 2-11")
    assert load(db, tmp_path, "facilities", WORDED + row.replace("saa 2-11", "saa 2-10")).updated == 1
    with db.session() as s:
        assert s.scalar(select(Facility.hours_sw).where(Facility.code == "F9")) == "Jumatatu-Ijumaa saa 2-10"
