"""Demo data: the promised shape, loaded through the importer, twice without duplicates."""

import re
from datetime import date

from sqlalchemy import func, select

from sms_service.db import Database
from sms_service.local.demo import demo_rows, load_demo
from sms_service.models import Appointment, Client, Facility, Infant, MentorMother, Transfer

TODAY = date(2026, 11, 24)


def counts(db):
    with db.session() as s:
        return {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Facility, MentorMother, Client, Infant, Appointment, Transfer)
        }


def test_demo_shape_and_idempotence(database_url):
    db = Database(database_url)
    with db.session() as s:
        load_demo(s, TODAY)
    first = counts(db)
    assert first == {"Facility": 3, "MentorMother": 3, "Client": 30, "Infant": 15, "Appointment": 30, "Transfer": 30}
    with db.session() as s:
        reports = load_demo(s, TODAY)
    assert counts(db) == first and all(r.created == 0 for r in reports.values())
    with db.session() as s:
        closing = s.scalars(select(Facility).where(Facility.closed_on.is_not(None))).one()
        assert closing.closed_on > TODAY
        assert {t.to_facility.closed_on for t in s.scalars(select(Transfer))} == {None}
    db.dispose()


def test_demo_numbers_are_in_the_test_range():
    text = repr(demo_rows(TODAY))
    numbers = re.findall(r"'(0\d{9})'", text)
    assert numbers and all(n.startswith("070000") for n in numbers)


def test_demo_accounts_log_in_with_this_runs_password_and_a_second_run_changes_it(database_url):
    from sms_service.accounts.users import log_in
    from sms_service.db import utcnow
    from sms_service.local.demo import demo_accounts

    db = Database(database_url)
    with db.session() as s:
        load_demo(s, TODAY)
        names, first = demo_accounts(s)
        names_again, second = demo_accounts(s)
    assert names == names_again == ["demo-admin", "demo-supervisor", "demo-grace"] and first != second
    with db.session() as s:

        def attempt(name, password):
            return log_in(s, name, password, now=utcnow(), address="test", address_failures=lambda add: 0).account

        assert attempt("demo-grace", first) is None
        grace = attempt("demo-grace", second)
        assert grace.role == "mentor_mother" and grace.mentor_mother_id is not None
        assert attempt("demo-supervisor", second).facility_id is not None
    db.dispose()
