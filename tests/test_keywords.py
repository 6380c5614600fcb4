"""How typed texts are read: a table of what people send and what it means."""

import pytest

from sms_service.inbound.keywords import normalise, read

READINGS = [
    # text, prefix, keyword, words after it, language
    ("STOP", None, "stop", (), None),
    ("  stop!! ", None, "stop", (), None),
    ("Stop please", None, "stop", (), None),
    ("ÁCHA", None, "stop", (), None),
    ("Sitisha tafadhali", None, "stop", (), None),
    ("ST0P", None, "stop", (), None),
    ("Stpo", None, "stop", (), None),
    ("sitsha", None, "stop", (), None),
    ("Acha kunitumia ujumbe", None, "stop", ("kunitumia", "ujumbe"), None),
    ("acha nikuulize swali", None, None, ("acha", "nikuulize", "swali"), None),
    ("STOP sending me these", None, "stop", ("sending", "me", "these"), None),
    ("start", None, "start", (), None),
    ("Anza", None, "start", (), None),
    ("msaada", None, "help", (), None),
    ("msaad", None, "help", (), None),
    ("help me the baby is sick", None, None, ("help", "me", "the", "baby", "is", "sick"), None),
    ("tarehe?", None, "visit", (), None),
    ("visti", None, "visit", (), None),
    ("Tarehee", None, "visit", (), None),
    ("visit amina", None, "visit", ("amina",), None),
    ("Kliniki", None, "clinic", (), None),
    ("clinik", None, "clinic", (), None),
    ("Yés.", None, "yes", (), None),
    ("Ndiyo asante", None, "yes", (), None),
    ("1", None, "yes", (), None),
    ("sawa", None, "yes", (), None),
    ("ndio lakini nitachelewa", None, "yes", ("lakini", "nitachelewa"), None),
    ("SW", None, "language", (), "sw"),
    ("english", None, "language", (), "en"),
    ("Lugha sw", None, "language", (), "sw"),
    ("LUGHA KISWAHILI", None, "language", (), "sw"),
    ("lugha", None, "language", (), None),
    ("lugha yangu ni kiswahili", None, None, ("lugha", "yangu", "ni", "kiswahili"), None),
    ("Asante", None, None, ("asante",), None),
    ("stat", None, None, ("stat",), None),  # too short to forgive: not START
    ("...", None, None, (), None),
    ("MAMA stop", "mama", "stop", (), None),
    ("stop", "mama", "stop", (), None),  # the prefix may be left off
    ("MAMA", "mama", None, (), None),
]


@pytest.mark.parametrize("text, prefix, keyword, words, language", READINGS, ids=[r[0] or "empty" for r in READINGS])
def test_reading(text, prefix, keyword, words, language):
    reading = read(text, prefix)
    assert (reading.keyword, reading.words, reading.language) == (keyword, words, language)


def test_normalise_strips_accents_case_and_punctuation():
    assert normalise("  Ndíó,  TAREHÉ!!? ") == ["ndio", "tarehe"]
    assert normalise("ST0P 10") == ["stop", "10"]  # 0 is o inside a word, not in a number
