"""No text a client can see may reveal HIV care, in English or Kiswahili."""

import pytest

from sms_service.texts.discreet import forbidden_terms, is_discreet

FLAGGED = [
    ("HIV", "Come for your HIV clinic", "HIV"),
    ("dotted", "your H.I.V. visit", "HIV"),
    ("spaced", "h i v", "HIV"),
    ("VVU", "kliniki ya VVU", "VVU"),
    ("UKIMWI", "Ukimwi", "UKIMWI"),
    ("AIDS", "aids day", "AIDS"),
    ("ARV plural", "bring your ARVs", "ARV"),
    ("ARV apostrophe", "your arv's", "ARV"),
    ("ART word", "ART refill", "ART"),
    ("PMTCT", "PMTCT visit", "PMTCT"),
    ("CCC", "come to the CCC", "CCC"),
    ("viral load hyphen", "viral-load test", "viral load"),
    ("wingi wa virusi", "kipimo cha wingi wa virusi", "wingi wa virusi"),
    ("CD4", "CD4 count", "CD4"),
    ("results", "collect your test results", "results"),
    ("matokeo", "chukua matokeo yako", "matokeo"),
    ("kupunguza makali", "dawa za kupunguza makali", "dawa za kupunguza makali"),
    ("accented", "VÍH ÁRV", "ARV"),
]
CLEAN = [
    "start your visit",
    "Anza",
    "party",
    "smart chart",
    "article",
    "kuanza",
    "Habari Amina",
    "preparation",
    "prepare",
    "your clinic visit",
    "Mama Mshauri",
]


@pytest.mark.parametrize("label, text, term", FLAGGED, ids=[c[0] for c in FLAGGED])
def test_flagged_with_the_word_named(label, text, term):
    assert term in forbidden_terms(text)
    assert not is_discreet(text)


@pytest.mark.parametrize("text", CLEAN)
def test_ordinary_words_pass(text):
    assert forbidden_terms(text) == []
