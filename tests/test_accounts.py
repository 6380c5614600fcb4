"""Accounts: `sms-service users add/reset/list`, passwords kept only as salted hashes, the
account's scope, and logging in (throttling is tested through the login page in test_web)."""

from __future__ import annotations

import re

from sqlalchemy import select

from sms_service.accounts.users import log_in
from sms_service.db import utcnow
from sms_service.models import AuditEntry, Facility, MentorMother, User


def attempt(services, username, password):
    with services.db.session() as s:
        return log_in(s, username, password, now=utcnow(), address="test", address_failures=lambda add: 0)


def programme(services):
    with services.db.session() as s:
        clinic = Facility(code="F1", name="Mwangaza")
        s.add_all([clinic, MentorMother(code="MM1", name="Zawadi", phone="+254700000900", facility=clinic)])


def test_an_account_is_made_with_a_password_shown_once_and_kept_only_as_a_hash(runner, services):
    programme(services)
    made = runner.invoke(
        args=[
            "users",
            "add",
            "Zawadi",
            "--role",
            "mentor_mother",
            "--mentor-mother",
            "MM1",
            "--name",
            "Zawadi Achieng",
            "--language",
            "sw",
        ]
    )
    assert made.exit_code == 0, made.output
    password = re.search(r"Password \(shown once\): (\S+)", made.output).group(1)
    with services.db.session() as s:
        user = s.scalar(select(User).where(User.username == "zawadi"))
        assert user.password_hash.startswith("scrypt:") and password not in user.password_hash
        assert (user.role, user.language, user.facility_id) == ("mentor_mother", "sw", None)
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.subject_type == "user")) == "user.add"
    account = attempt(services, "ZAWADI ", password).account
    assert account.caller.role == "mentor_mother" and account.caller.mentor_mother_id is not None
    assert attempt(services, "zawadi", password + "x").refusal == "wrong"


def test_a_password_from_stdin_is_checked_and_a_reset_gives_a_new_one(runner, services):
    programme(services)
    short = runner.invoke(
        args=["users", "add", "desk", "--role", "supervisor", "--facility", "F1", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    assert (
        runner.invoke(
            args=["users", "add", "desk", "--role", "supervisor", "--password-stdin"], input="long-enough-password\n"
        ).exit_code
        == 2
    )  # a supervisor names her facility
    made = runner.invoke(
        args=["users", "add", "desk", "--role", "supervisor", "--facility", "F1", "--password-stdin"],
        input="long-enough-password\n",
    )
    assert made.exit_code == 0 and "shown once" not in made.output
    assert attempt(services, "desk", "long-enough-password").account.facility_id is not None
    again = runner.invoke(
        args=["users", "add", "desk", "--role", "admin", "--password-stdin"], input="long-enough-password\n"
    )
    assert again.exit_code == 2 and "already an account desk" in again.output
    reset = runner.invoke(args=["users", "reset", "desk"])
    new = re.search(r"Password \(shown once\): (\S+)", reset.output).group(1)
    assert attempt(services, "desk", "long-enough-password").account is None
    assert attempt(services, "desk", new).account is not None
    listed = runner.invoke(args=["users", "list"]).output
    assert re.search(r"desk\s+supervisor\s+F1", listed) and new not in listed
    assert runner.invoke(args=["users", "reset", "nobody"]).exit_code == 2


def test_a_disabled_account_cannot_log_in_until_enabled(runner, services):
    programme(services)
    runner.invoke(
        args=["users", "add", "admin2", "--role", "admin", "--password-stdin"], input="long-enough-password\n"
    )
    assert runner.invoke(args=["users", "disable", "admin2"]).exit_code == 0
    assert attempt(services, "admin2", "long-enough-password").refusal == "wrong"
    assert "DISABLED" in runner.invoke(args=["users", "list"]).output
    assert runner.invoke(args=["users", "enable", "admin2"]).exit_code == 0
    assert attempt(services, "admin2", "long-enough-password").account is not None


def test_an_accounts_language_defaults_to_its_mentor_mothers(runner, services):
    # issue 21: "A Kiswahili Mentor Mother's account opens in English"
    with services.db.session() as s:
        clinic = Facility(code="F1", name="Mwangaza")
        s.add_all(
            [
                clinic,
                MentorMother(code="MM1", name="Zawadi", phone="+254700000900", facility=clinic, language="sw"),
                MentorMother(code="MM2", name="Imani", phone="+254700000901", facility=clinic, language="en"),
            ]
        )
    for username, args in (
        ("zawadi", ["--role", "mentor_mother", "--mentor-mother", "MM1"]),
        ("imani", ["--role", "mentor_mother", "--mentor-mother", "MM2"]),
        ("zawadi-en", ["--role", "mentor_mother", "--mentor-mother", "MM1", "--language", "en"]),
        ("desk", ["--role", "supervisor", "--facility", "F1"]),
    ):
        made = runner.invoke(args=["users", "add", username, *args])
        assert made.exit_code == 0, made.output
    with services.db.session() as s:
        languages = dict(s.execute(select(User.username, User.language)).all())
    assert languages == {"zawadi": "sw", "imani": "en", "zawadi-en": "en", "desk": "en"}
