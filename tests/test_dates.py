"""Dates from CLDR (issue 21): every weekday and every month in English and Kiswahili, in the
long form of an SMS or a page and the short form of a USSD screen. The short form must never
make two days look alike: five Kiswahili weekdays begin "Jum", and were all printed "Jum"."""

from __future__ import annotations

from datetime import date

import pytest

from sms_service.texts.dates import long_date, short_date
from sms_service.texts.render import format_date, say_hours
from sms_service.ussd.menu import say_date

# the first of each month of 2027: all twelve months, and all seven weekdays among them
VECTORS = [
    (date(2027, 1, 1), "Ijumaa 1 Januari 2027", "Ijumaa 1 Jan 2027", "Friday 1 January 2027", "Fri 1 Jan 2027"),
    (date(2027, 2, 1), "Jumatatu 1 Februari 2027", "Jumatatu 1 Feb 2027", "Monday 1 February 2027", "Mon 1 Feb 2027"),
    (date(2027, 3, 1), "Jumatatu 1 Machi 2027", "Jumatatu 1 Mac 2027", "Monday 1 March 2027", "Mon 1 Mar 2027"),
    (date(2027, 4, 1), "Alhamisi 1 Aprili 2027", "Alhamisi 1 Apr 2027", "Thursday 1 April 2027", "Thu 1 Apr 2027"),
    (date(2027, 5, 1), "Jumamosi 1 Mei 2027", "Jumamosi 1 Mei 2027", "Saturday 1 May 2027", "Sat 1 May 2027"),
    (date(2027, 6, 1), "Jumanne 1 Juni 2027", "Jumanne 1 Jun 2027", "Tuesday 1 June 2027", "Tue 1 Jun 2027"),
    (date(2027, 7, 1), "Alhamisi 1 Julai 2027", "Alhamisi 1 Jul 2027", "Thursday 1 July 2027", "Thu 1 Jul 2027"),
    (date(2027, 8, 1), "Jumapili 1 Agosti 2027", "Jumapili 1 Ago 2027", "Sunday 1 August 2027", "Sun 1 Aug 2027"),
    (
        date(2027, 9, 1),
        "Jumatano 1 Septemba 2027",
        "Jumatano 1 Sep 2027",
        "Wednesday 1 September 2027",
        "Wed 1 Sep 2027",
    ),
    (date(2027, 10, 1), "Ijumaa 1 Oktoba 2027", "Ijumaa 1 Okt 2027", "Friday 1 October 2027", "Fri 1 Oct 2027"),
    (date(2027, 11, 1), "Jumatatu 1 Novemba 2027", "Jumatatu 1 Nov 2027", "Monday 1 November 2027", "Mon 1 Nov 2027"),
    (
        date(2027, 12, 1),
        "Jumatano 1 Desemba 2027",
        "Jumatano 1 Des 2027",
        "Wednesday 1 December 2027",
        "Wed 1 Dec 2027",
    ),
]


def test_the_vectors_cover_every_weekday_and_month():
    assert {d.weekday() for d, *_ in VECTORS} == set(range(7))
    assert {d.month for d, *_ in VECTORS} == set(range(1, 13))


@pytest.mark.parametrize(("day", "sw_long", "sw_short", "en_long", "en_short"), VECTORS)
def test_dates_in_both_languages_long_and_short(day, sw_long, sw_short, en_long, en_short):
    assert long_date(day, "sw") == format_date(day, "sw") == sw_long
    assert long_date(day, "en") == format_date(day, "en") == en_long
    assert short_date(day, "sw") == say_date(day, "sw") == sw_short  # the USSD screen's form
    assert short_date(day, "en") == say_date(day, "en") == en_short


@pytest.mark.parametrize("language", ["sw", "en"])
def test_no_two_days_of_a_week_look_alike_on_a_ussd_screen(language):
    week = [date(2027, 2, 1 + i) for i in range(7)]  # Monday to Sunday
    weekdays = {short_date(d, language).split()[0] for d in week}
    assert len(weekdays) == 7, weekdays


def test_structured_hours_are_said_in_kiswahili_from_the_same_names():
    assert say_hours("Mon-Sat 08:00-17:00", "sw") == "Jumatatu-Jumamosi 08:00-17:00"
    assert say_hours("Mon-Sat 08:00-17:00", "en") == "Mon-Sat 08:00-17:00"
