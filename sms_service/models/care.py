"""The care schedules (care.md, "Schedules by stage"): which visits a clinic would book, and when,
from a pregnancy or an infant's birth. Data, read by the configuration (a programme may replace
a kind's table) and by `reminders.schedules`, which turns them into dates."""

from __future__ import annotations

# kind → (label, offset) from the schedule's anchor: the LMP for antenatal contacts, the birth
# for the others. WHO 2016 eight contacts; Kenya's immunisation schedule; infant tests (confirm).
SCHEDULES: dict[str, tuple[tuple[str, tuple[str, int]], ...]] = {
    "anc": (
        ("anc-1", ("weeks", 12)),
        ("anc-2", ("weeks", 20)),
        ("anc-3", ("weeks", 26)),
        ("anc-4", ("weeks", 30)),
        ("anc-5", ("weeks", 34)),
        ("anc-6", ("weeks", 36)),
        ("anc-7", ("weeks", 38)),
        ("anc-8", ("weeks", 40)),
    ),
    "pnc": (("pnc-48h", ("days", 2)), ("pnc-1w", ("days", 7)), ("pnc-6w", ("weeks", 6)), ("pnc-6m", ("months", 6))),
    "immunisation": (
        ("imm-6w", ("weeks", 6)),
        ("imm-10w", ("weeks", 10)),
        ("imm-14w", ("weeks", 14)),
        ("imm-6m", ("months", 6)),
        ("imm-9m", ("months", 9)),
        ("imm-18m", ("months", 18)),
    ),
    "infant_test": (
        ("test-6w", ("weeks", 6)),
        ("test-6m", ("months", 6)),
        ("test-12m", ("months", 12)),
        ("test-18m", ("months", 18)),
    ),
}
INFANT_SCHEDULES = ("pnc", "immunisation", "infant_test")
