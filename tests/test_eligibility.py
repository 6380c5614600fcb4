"""May this message go to her now? The rules, one by one, and their SQL form (the broadcast
audience, the ladder) agreeing with them for every combination a client's record can hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product

import pytest
from sqlalchemy import select

from sms_service.models import Client
from sms_service.outbound.eligibility import NOBODY, About, Her, in_care_and_reachable, muted, refusal, visit_refusal
from tests.support.programme import small_programme

TODAY = date(2026, 12, 1)
REMINDER = About("reminder")

CASES = [  # (label, her, about, the reason it is held back or None)
    ("in care, a reminder", Her(), REMINDER, None),
    ("she died: even a reply", Her("inactive", "died"), About("reply", essential=True), "died"),
    ("she moved away", Her("inactive", "moved_away"), REMINDER, "moved_away"),
    ("inactive for another reason", Her("inactive"), REMINDER, "inactive"),
    ("she stopped our messages: a reminder", Her(opted_out=True), REMINDER, "opted_out"),
    ("she stopped our messages: her own question answered", Her(opted_out=True), About("reply", essential=True), None),
    (
        "the baby it names has died",
        Her(),
        About("reminder", visit_kind="immunisation", infant_died_on=TODAY),
        "infant_died",
    ),
    ("her own visit after the baby died", Her(), About("reminder", visit_kind="refill"), None),
    (
        "an antenatal visit of a pregnancy lost",
        Her(pregnancy_lost_on=TODAY),
        About("reminder", visit_kind="anc"),
        "pregnancy_loss",
    ),
    (
        "an antenatal visit of a pregnancy since",
        Her(pregnancy_lost_on=TODAY, edd=TODAY + timedelta(days=300)),
        About("reminder", visit_kind="anc"),
        None,
    ),
    (
        "the old due date sent again",
        Her(pregnancy_lost_on=TODAY, edd=TODAY + timedelta(days=100)),
        About("reminder", visit_kind="anc"),
        "pregnancy_loss",
    ),
    (
        "another visit after a pregnancy loss",
        Her(pregnancy_lost_on=TODAY),
        About("reminder", visit_kind="refill"),
        None,
    ),
    ("a clinic closed by today", Her(), About("transfer_notice", facility_closed_on=TODAY), "facility_closed"),
    ("a clinic closing next week", Her(), About("transfer_notice", facility_closed_on=TODAY + timedelta(days=7)), None),
    ("a stranger's reply", NOBODY, About("reply", essential=True), None),
    (
        "death comes before every other reason",
        Her("inactive", "died", opted_out=True),
        About("reminder", visit_kind="anc", infant_died_on=TODAY),
        "died",
    ),
]


@pytest.mark.parametrize("label, her, about, reason", CASES, ids=[c[0] for c in CASES])
def test_each_rule(label, her, about, reason):
    assert refusal(her, about, TODAY) == reason


def test_a_visit_stays_in_her_care_unless_she_or_the_baby_or_the_pregnancy_is_gone():
    assert visit_refusal(Her(opted_out=True), "refill", None) is None  # no SMS, but still followed up
    assert visit_refusal(Her("inactive", "died"), "refill", None) == "died"
    assert visit_refusal(Her(), "immunisation", TODAY) == "infant_died"
    assert visit_refusal(Her(pregnancy_lost_on=TODAY), "anc", None) == "pregnancy_loss"


def test_why_she_gets_nothing():
    assert [
        muted(h, blocked)
        for h, blocked in (
            (Her(), False),
            (Her("inactive", "died"), False),
            (Her("inactive", "moved_away"), False),
            (Her(opted_out=True), False),
            (Her(opted_out=True), True),
        )
    ] == [None, "died", "moved_away", "opted_out", "network_block"]


def test_the_sql_form_agrees_with_the_rules_for_every_record(services):
    statuses, reasons, stopped = (
        ("active", "inactive"),
        (None, "died", "moved_away"),
        (None, datetime(2026, 11, 1, tzinfo=UTC)),
    )
    combinations = list(product(statuses, reasons, stopped))
    with services.db.session() as s:
        p = small_programme(s)
        for i, (status, reason, opted_out_at) in enumerate(combinations):
            p.client(
                f"Client{i}", f"+2547000001{i:02d}", status=status, inactive_reason=reason, opted_out_at=opted_out_at
            )
    with services.db.session() as s:
        chosen = set(s.scalars(select(Client.first_name).where(in_care_and_reachable())))
    expected = {
        f"Client{i}"
        for i, (status, reason, opted_out_at) in enumerate(combinations)
        if refusal(Her(status, reason, opted_out_at is not None), About("broadcast"), TODAY) is None
    }
    assert chosen == expected
