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

PREGNANCY_DAYS = 280  # EDD = LMP + 280 days


@dataclass(frozen=True)
class Visit:
    kind: str  # an appointment kind: anc, pnc, immunisation, infant_test
    label: str  # which visit of the schedule, e.g. "anc-3", "immunisation-10w"
    day: date


# kind → (label, offset) from the schedule's anchor: the LMP for antenatal contacts, the birth
# for the others. WHO 2016 eight contacts; Kenya's immunisation schedule; infant tests (confirm).
SCHEDULES: dict[str, tuple[tuple[str, tuple[str, int]], ...]] = {
    "anc": (("anc-1", ("weeks", 12)), ("anc-2", ("weeks", 20)), ("anc-3", ("weeks", 26)), ("anc-4", ("weeks", 30)),
            ("anc-5", ("weeks", 34)), ("anc-6", ("weeks", 36)), ("anc-7", ("weeks", 38)), ("anc-8", ("weeks", 40))),
    "pnc": (("pnc-48h", ("days", 2)), ("pnc-1w", ("days", 7)), ("pnc-6w", ("weeks", 6)), ("pnc-6m", ("months", 6))),
    "immunisation": (("imm-6w", ("weeks", 6)), ("imm-10w", ("weeks", 10)), ("imm-14w", ("weeks", 14)),
                     ("imm-6m", ("months", 6)), ("imm-9m", ("months", 9)), ("imm-18m", ("months", 18))),
    "infant_test": (("test-6w", ("weeks", 6)), ("test-6m", ("months", 6)), ("test-12m", ("months", 12)),
                    ("test-18m", ("months", 18))),
}
INFANT_SCHEDULES = ("pnc", "immunisation", "infant_test")


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


def infant(birth: date, kinds=INFANT_SCHEDULES, table=SCHEDULES, breastfeeding_ended: date | None = None) -> list[Visit]:
    """Postnatal, immunisation and infant-test visits from a birth date; an infant test 6 weeks
    after breastfeeding ends, when that is later than the last scheduled one."""
    visits = [Visit(kind, label, offset(birth, *step)) for kind in kinds for label, step in table[kind]]
    if breastfeeding_ended is not None and "infant_test" in kinds:
        after = breastfeeding_ended + timedelta(weeks=6)
        last = max(v.day for v in visits if v.kind == "infant_test")
        if after > last:
            visits.append(Visit("infant_test", "test-after-breastfeeding", after))
    return sorted(visits, key=lambda v: (v.day, v.kind))
