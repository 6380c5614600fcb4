"""Generated visits against every test vector in care.md, and month-end arithmetic."""

from datetime import date

import pytest

from sms_service.reminders.schedules import add_months, antenatal, edd_from_lmp, infant

BIRTH = date(2025, 10, 10)


def days(visits, kind):
    return [v.day for v in visits if v.kind == kind]


def test_antenatal_contacts_from_the_lmp_and_from_the_edd():
    lmp = date(2025, 1, 6)
    assert edd_from_lmp(lmp) == date(2025, 10, 13)
    expected = [
        date(2025, 5, 26),
        date(2025, 7, 7),
        date(2025, 8, 4),
        date(2025, 9, 1),
        date(2025, 9, 15),
        date(2025, 9, 29),
        date(2025, 10, 13),
    ]  # contacts 2 to 8
    assert [v.day for v in antenatal(lmp=lmp)][1:] == expected
    assert [v.day for v in antenatal(edd=date(2025, 10, 13))][1:] == expected
    assert antenatal(lmp=lmp)[0].day == date(2025, 3, 31)  # the first contact, by 12 weeks
    with pytest.raises(ValueError):
        antenatal()


def test_postnatal_immunisation_and_infant_tests_from_a_birth():
    visits = infant(BIRTH)
    assert days(visits, "pnc") == [date(2025, 10, 12), date(2025, 10, 17), date(2025, 11, 21), date(2026, 4, 10)]
    assert days(visits, "immunisation") == [
        date(2025, 11, 21),
        date(2025, 12, 19),
        date(2026, 1, 16),
        date(2026, 4, 10),
        date(2026, 7, 10),
        date(2027, 4, 10),
    ]
    assert days(visits, "infant_test") == [date(2025, 11, 21), date(2026, 4, 10), date(2026, 10, 10), date(2027, 4, 10)]


def test_an_infant_test_six_weeks_after_breastfeeding_ends_if_later():
    assert days(infant(BIRTH, breastfeeding_ended=date(2027, 6, 1)), "infant_test")[-1] == date(2027, 7, 13)
    assert len(days(infant(BIRTH, breastfeeding_ended=date(2026, 1, 1)), "infant_test")) == 4


@pytest.mark.parametrize(
    "birth, months, expected",
    [
        (date(2025, 8, 31), 6, date(2026, 2, 28)),  # care.md: born 31 Aug, 6 months is 28 Feb
        (date(2023, 8, 31), 6, date(2024, 2, 29)),  # into a leap February
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # leap day, a year on
        (date(2024, 2, 29), 6, date(2024, 8, 29)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 3, 31), 18, date(2026, 9, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),  # across a year end
    ],
)
def test_months_clamp_to_the_end_of_the_month(birth, months, expected):
    assert add_months(birth, months) == expected


def test_month_end_and_leap_day_births_through_the_schedules():
    assert days(infant(date(2025, 8, 31)), "immunisation")[3:] == [
        date(2026, 2, 28),
        date(2026, 5, 31),
        date(2027, 2, 28),
    ]
    assert days(infant(date(2024, 2, 29)), "infant_test") == [
        date(2024, 4, 11),
        date(2024, 8, 29),
        date(2025, 2, 28),
        date(2025, 8, 29),
    ]


def test_a_programme_can_set_its_own_schedule(tmp_path):
    from sms_service.config import ConfigError, load_config

    path = tmp_path / "schedules.json"
    path.write_text('{"infant_test": [["test-6w", "weeks", 6], ["test-9m", "months", 9]]}')
    table = load_config({"CARE_SCHEDULES_FILE": str(path)}).care_schedules
    assert days(infant(BIRTH, table=table), "infant_test") == [date(2025, 11, 21), date(2026, 7, 10)]
    assert days(infant(BIRTH, table=table), "pnc")[0] == date(2025, 10, 12)  # the others as care.md
    path.write_text('{"vitamins": [["v", "weeks", 6]]}')
    with pytest.raises(ConfigError, match="CARE_SCHEDULES_FILE"):
        load_config({"CARE_SCHEDULES_FILE": str(path)})
