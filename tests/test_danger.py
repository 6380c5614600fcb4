"""The danger-sign reader (issue 20): a table of real phrasings, true and false, in English and
Kiswahili, with the slips people type. A missed sign is worse than a false alarm, but a
thank-you must not page a supervisor."""

from __future__ import annotations

import json

import pytest

from sms_service.inbound import danger

DANGER = [
    ("I am bleeding a lot", "heavy_bleeding"),
    ("im bleeding heavily since morning", "heavy_bleeding"),
    ("there is so much blood", "heavy_bleeding"),
    ("Natoka damu nyingi", "heavy_bleeding"),
    ("ninatoka damu tangu jana", "heavy_bleeding"),
    ("damu inatoka sana", "heavy_bleeding"),
    ("bleding alot", "heavy_bleeding"),  # slips: bleding, alot
    ("my baby has convulsions", "convulsions"),
    ("mtoto ana degedege", "convulsions"),
    ("mama amezimia", "convulsions"),
    ("she is having a fit", "convulsions"),
    ("baby had a seizure", "convulsions"),
    ("severe headache and blurred vision", "severe_headache"),
    ("kichwa kinauma sana", "severe_headache"),
    ("naona giza machoni", "severe_headache"),
    ("sioni vizuri", "severe_headache"),
    ("baby has high fever", "high_fever"),
    ("mtoto ana homa kali", "high_fever"),
    ("mwili una joto sana", "high_fever"),
    ("severe stomach pain", "severe_abdominal_pain"),
    ("tumbo linauma sana", "severe_abdominal_pain"),
    ("the baby is not moving", "baby_not_moving"),
    ("baby stoped moving", "baby_not_moving"),  # a slip
    ("mtoto hachezi tumboni", "baby_not_moving"),
    ("my baby is not feeding", "baby_not_feeding"),
    ("mtoto hanyonyi", "baby_not_feeding"),
    ("anakataa kunyonya", "baby_not_feeding"),
    ("baby refuses to feed", "baby_not_feeding"),
    ("baby is not breathing well", "baby_breathing"),
    ("mtoto hapumui vizuri", "baby_breathing"),
    ("anapumua kwa shida", "baby_breathing"),
    ("baby has yellow palms", "yellow_palms_soles"),
    ("mtoto ana viganja vya njano", "yellow_palms_soles"),
    ("HELP I AM BLEEDING", "heavy_bleeding"),
    ("Tafadhali nisaidie, natoka damu", "heavy_bleeding"),
    ("Ndio, lakini mtoto ana homa kali", "high_fever"),
]
CALM = [
    "Hi, I lost my clinic book, what do I do?",
    "asante sana",
    "thank you, I will come tomorrow",
    "nitakuja kesho",
    "the baby is feeding well now",
    "mtoto ananyonya vizuri",
    "no fever now, she is fine",  # the reader errs towards urgent, but "no fever" is no sign
    "I have moved to Nakuru",
    "please call me",
    "my headache is gone",
    "is the clinic open on Saturday",
    "nimefika kliniki",
    "I need a new date",
    "",
]


@pytest.mark.parametrize(("text", "sign"), DANGER)
def test_a_danger_sign_is_read_as_urgent(text, sign):
    assert sign in danger.read(text), text


@pytest.mark.parametrize("text", CALM)
def test_a_calm_message_is_not_read_as_danger(text):
    assert danger.read(text) == [], text


def test_the_table_is_big_enough_and_covers_every_sign():
    assert len(DANGER) + len(CALM) >= 40
    assert {sign for _, sign in DANGER} == {s.name for s in danger.signs()}


def test_a_programme_extends_the_list_with_its_own_file(tmp_path):
    extra = tmp_path / "signs.json"
    extra.write_text(
        json.dumps({"signs": {"heavy_bleeding": {"sw": ["napoteza damu"]}, "swelling": {"en": ["swollen face"]}}})
    )
    assert danger.read("napoteza damu", str(extra)) == ["heavy_bleeding"]
    assert danger.read("my face is a swollen face", str(extra)) == ["swelling"]
    assert danger.read("napoteza damu") == []  # the default list alone does not know it
