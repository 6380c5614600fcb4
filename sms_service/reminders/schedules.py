"""Visits a clinic would book, generated from a pregnancy or an infant's birth when the clinic
has given no dates (care.md, "Schedules by stage"). Pure date arithmetic on tables that are
data: a programme whose clinicians differ edits `SCHEDULES` (or passes its own table).

Offsets are ("days", n), ("weeks", n) or ("months", n); a month offset clamps to the end of the
month (born 31 August: 6 months is 28 February; 29 February: 12 months is 28 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from ..models.care import INFANT_SCHEDULES, SCHEDULES

__all__ = ["INFANT_SCHEDULES", "PREGNANCY_DAYS", "SCHEDULES", "Visit", "add_months"]

PREGNANCY_DAYS = 280  # EDD = LMP + 280 days


@dataclass(frozen=True)
class Visit:
    kind: str  # an appointment kind: anc, pnc, immunisation, infant_test
    label: str  # which visit of the schedule, e.g. "anc-3", "immunisation-10w"
    day: date


def add_months(day: date, months: int) -> date:
    """`day` plus whole months, clamped to the last day of a shorter month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def offset(anchor: date, unit: str, n: int) -> date:
    if unit == "months":
        return add_months(anchor, n)
    return anchor + timedelta(days=n * (7 if unit == "weeks" else 1))


def lmp_from_edd(edd: date) -> date:
    return edd - timedelta(days=PREGNANCY_DAYS)


def edd_from_lmp(lmp: date) -> date:
    return lmp + timedelta(days=PREGNANCY_DAYS)


def antenatal(*, lmp: date | None = None, edd: date | None = None, table=SCHEDULES) -> list[Visit]:
    """The antenatal contacts of a pregnancy, from its LMP or its EDD."""
    if lmp is None:
        if edd is None:
            raise ValueError("an LMP or an EDD is needed")
        lmp = lmp_from_edd(edd)
    return [Visit("anc", label, offset(lmp, *step)) for label, step in table["anc"]]


def infant(
    birth: date, kinds=INFANT_SCHEDULES, table=SCHEDULES, breastfeeding_ended: date | None = None
) -> list[Visit]:
    """Postnatal, immunisation and infant-test visits from a birth date; an infant test 6 weeks
    after breastfeeding ends, when that is later than the last scheduled one."""
    visits = [Visit(kind, label, offset(birth, *step)) for kind in kinds for label, step in table[kind]]
    if breastfeeding_ended is not None and "infant_test" in kinds:
        after = breastfeeding_ended + timedelta(weeks=6)
        last = max(v.day for v in visits if v.kind == "infant_test")
        if after > last:
            visits.append(Visit("infant_test", "test-after-breastfeeding", after))
    return sorted(visits, key=lambda v: (v.day, v.kind))
