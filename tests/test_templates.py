"""The catalogue passes its own checks, and the checks catch each kind of mistake."""

from datetime import date, time

import pytest

from sms_service.texts import CATALOGUE, Template, format_date, format_time, render
from sms_service.texts.check import check_templates


def test_catalogue_passes():
    assert [str(p) for p in check_templates()] == []


def test_every_template_in_both_languages():
    for key, template in CATALOGUE.items():
        assert template.en and template.sw, key


BAD = [
    (
        "placeholder missing in sw",
        Template(en="Hi {first_name}", sw="Habari"),
        "placeholder {first_name} is missing here",
    ),
    (
        "curly apostrophe",
        Template(en="It\u2019s time", sw="Ni wakati"),
        "character '\u2019' (U+2019) at position 2 is not GSM-7",
    ),
    (
        "over budget",
        Template(en="{facility_name} " * 5, sw="{facility_name} " * 5),
        "2 SMS parts at the longest values",
    ),
    ("ARV", Template(en="Bring your ARVs", sw="Beba dawa"), "reveals care: 'ARV'"),
    ("UKIMWI", Template(en="Clinic", sw="Kliniki ya UKIMWI"), "reveals care: 'UKIMWI'"),
    ("viral load", Template(en="viral load test", sw="kipimo"), "reveals care: 'viral load'"),
    ("wingi wa virusi", Template(en="test", sw="wingi wa virusi"), "reveals care: 'wingi wa virusi'"),
    ("unknown placeholder", Template(en="{secret}", sw="{secret}"), "placeholder {secret} has no sample value"),
    ("language missing", Template(en="Hello", sw=""), "no text in this language"),
]


@pytest.mark.parametrize("label, template, expected", BAD, ids=[c[0] for c in BAD])
def test_checks_catch(label, template, expected):
    problems = [str(p) for p in check_templates({"bad": template})]
    assert any(expected in p for p in problems), problems


def test_render_in_the_clients_language():
    values = dict(
        first_name="Amina",
        date=format_date(date(2026, 3, 4), "sw"),
        time=format_time(time(9, 30), "sw"),
        facility_name="Mwangaza Health Centre",
    )
    assert render("reply.next_visit", "sw", **values) == (
        "Amina, miadi yako ijayo ya kliniki ni Jumatano 4 Machi 2026 saa 09:30 katika Mwangaza Health Centre."
    )


def test_unknown_language_falls_back_to_kiswahili_and_unknown_time_leaves_no_gap():
    text = render(
        "reply.next_visit",
        None,
        first_name="Amina",
        date=format_date(date(2026, 3, 2), "en"),
        time=format_time(None),
        facility_name="X",
    )
    assert text == "Amina, miadi yako ijayo ya kliniki ni Monday 2 March 2026 katika X."


def test_missing_value_names_template_and_field():
    with pytest.raises(KeyError, match="reply.next_visit: no value for date, facility_name, time"):
        render("reply.next_visit", "en", first_name="Amina")


@pytest.mark.parametrize(
    "landmark, en, sw",
    [  # issue 19: notices said "near opposite the bus stage"
        ("the market", "Mwangaza, near the market.", "Mwangaza, karibu na the market."),
        ("opposite the bus stage", "Mwangaza, opposite the bus stage.", "Mwangaza, opposite the bus stage."),
        ("Behind the chief's camp", "Mwangaza, Behind the chief's camp.", "Mwangaza, Behind the chief's camp."),
        ("next to Total", "Mwangaza, next to Total.", "Mwangaza, next to Total."),
        ("karibu na soko", "Mwangaza, karibu na soko.", "Mwangaza, karibu na soko."),
        ("Office block B", "Mwangaza, near Office block B.", "Mwangaza, karibu na Office block B."),
    ],
)
def test_a_landmark_that_says_its_own_preposition_gets_no_near(landmark, en, sw):
    from sms_service.ussd.menu import t

    values = dict(facility_name="Mwangaza", landmark=landmark, hours="8-5", facility_phone="-")
    assert en in render("reply.clinic", "en", **values)
    assert sw in render("reply.clinic", "sw", **values)
    assert t("clinic", "en", clinic="Mwangaza", landmark=landmark, hours="8-5", phone="-").startswith(en[:-1])
    assert t("clinic", "sw", clinic="Mwangaza", landmark=landmark, hours="8-5", phone="-").startswith(sw[:-1])


@pytest.mark.parametrize(
    "hours, sw",
    [  # issue 19: "Kiswahili notices carry English opening hours"
        ("Mon-Sat 08:00-17:00", "Jumatatu-Jumamosi 08:00-17:00"),
        ("Mon-Fri 08:00-17:00, Sat 08:00-13:00", "Jumatatu-Ijumaa 08:00-17:00, Jumamosi 08:00-13:00"),
        ("Sun 09:00-12:00", "Jumapili 09:00-12:00"),
        ("Mon-Fri 8am-5pm", "Mon-Fri 8am-5pm"),  # free text passes through as written
        ("weekdays, mornings", "weekdays, mornings"),
    ],
)
def test_structured_hours_are_said_in_each_language_and_free_text_passes_through(hours, sw):
    from sms_service.ussd.menu import t

    values = dict(facility_name="Mwangaza", landmark="the market", hours=hours, facility_phone="-")
    assert f"Saa {sw}." in render("reply.clinic", "sw", **values)
    assert f"Open {hours}." in render("reply.clinic", "en", **values)
    assert f"Saa {sw}." in t("clinic", "sw", clinic="Mwangaza", landmark="x", hours=hours, phone="-")


def test_a_clinics_kiswahili_landmark_and_hours_go_to_kiswahili_readers_only():
    from sms_service.models import Facility
    from sms_service.texts.render import place_values

    clinic = Facility(
        name="Mwangaza",
        landmark="the market",
        hours="Mon-Fri 8am-5pm",
        phone="+254700000900",
        landmark_sw="soko la Kibra",
        hours_sw="Jumatatu-Ijumaa saa 2 asubuhi-11 jioni",
    )
    sw = render("reply.clinic", "sw", **place_values(clinic, "sw"))
    assert "karibu na soko la Kibra. Saa Jumatatu-Ijumaa saa 2 asubuhi-11 jioni." in sw
    en = render("reply.clinic", "en", **place_values(clinic, "en"))
    assert "near the market. Open Mon-Fri 8am-5pm." in en
    plain = Facility(name="Upendo", landmark="Upendo", hours="Mon-Sat 08:00-17:00")
    assert "Saa Jumatatu-Jumamosi 08:00-17:00." in render("reply.clinic", "sw", **place_values(plain, "sw"))
