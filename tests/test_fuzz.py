"""Property-based tests (hypothesis) of what reads people's input: phone numbers, SMS keywords,
the USSD history, and the templates' rendering with any value that fits; and every Africa's
Talking callback fuzzed over HTTP: never a 5xx, and USSD always `CON `/`END ` in 160 characters."""

from __future__ import annotations

import re
import string
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sms_service.inbound.keywords import SPELLINGS, read
from sms_service.phones import PhoneError, mask_phone, normalise_phone
from sms_service.texts.catalogue import CATALOGUE, SAMPLE_LONGEST
from sms_service.texts.gsm7 import is_gsm7, sms_parts
from sms_service.texts.render import placeholders, render
from sms_service.ussd.check import TODAY, cases
from sms_service.ussd.check import rendered as answer

E164 = re.compile(r"^\+254[17]\d{8}$")
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

ALLOCATED = ["70", "71", "72", "74", "79", "11"]  # mobile ranges every digit after them makes a number in
kenyan = st.tuples(st.sampled_from(ALLOCATED), st.text(string.digits, min_size=7, max_size=7)).map(
    lambda p: (p[0][0], p[0][1] + p[1])
)
spelled = st.sampled_from(["0{}", "{}", "254{}", "+254{}", "+254 {}", "0{} ", " 254-{}"])


@FAST
@given(st.text(max_size=30))
def test_any_text_is_a_kenyan_mobile_number_in_e164_or_refused(text):
    try:
        phone = normalise_phone(text)
    except PhoneError:
        return
    assert E164.match(phone) and normalise_phone(phone) == phone


@FAST
@given(kenyan, spelled, st.sampled_from(["", " ", "-"]))
def test_every_accepted_spelling_of_a_number_is_the_same_number(parts, shape, separator):
    first, rest = parts
    digits = first + rest[:2] + separator + rest[2:5] + separator + rest[5:]
    assert normalise_phone(shape.format(digits)) == f"+254{first}{rest}"
    assert mask_phone(f"+254{first}{rest}") == f"+254{first}******{rest[-2:]}"


@FAST
@given(st.text(max_size=200))
def test_any_sms_text_reads_as_a_keyword_or_free_text_and_never_fails(text):
    reading = read(text)
    assert reading.keyword in (None, *SPELLINGS)
    assert read(text.upper()) == read(text.lower()) or not text.isascii()


@FAST
@given(
    st.sampled_from(sorted({(k, s) for k, spellings in SPELLINGS.items() for s in spellings if not s.isdigit()})),
    st.sampled_from(["{}", " {} ", "{}!", "{}.", "*{}*", "{} please", "tafadhali {}"]),
    st.sampled_from([str.upper, str.lower, str.title]),
)
def test_a_keyword_is_read_in_any_case_with_punctuation_and_politeness(pair, shape, case):
    keyword, spelling = pair
    reading = read(shape.format(case(spelling)))
    expected = "language" if keyword in ("sw", "en") else keyword
    assert reading.keyword == expected or (keyword == "language" and reading.keyword == "language")


PEOPLE = cases()
choices = st.lists(
    st.one_of(st.sampled_from(["0", "00", "1", "2", "3", "4", "5", "6", "7", "98", "99", ""]), st.text(max_size=6)),
    max_size=8,
)


@FAST
@given(st.sampled_from(sorted(PEOPLE)), choices)
def test_any_ussd_history_gets_a_screen_of_at_most_160_characters(case, inputs):
    assume(all("*" not in i for i in inputs))  # AT joins the inputs with *: none holds one
    reply = answer(inputs, PEOPLE[case], TODAY + timedelta(days=1))
    assert reply.text.startswith(("CON ", "END ")) and len(reply.text) <= 160 and reply.text.isascii()


BASIC = string.ascii_letters + string.digits + " .,-'"


@st.composite
def values_for(draw, key: str):
    """Any GSM-7 value for each placeholder, no longer than the catalogue's longest sample."""
    fields = placeholders(CATALOGUE[key].en) | placeholders(CATALOGUE[key].sw)
    return {f: draw(st.text(BASIC, min_size=1, max_size=len(SAMPLE_LONGEST[f]))) for f in fields}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_template_renders_any_fitting_value_within_its_parts(key):
    @settings(max_examples=40, deadline=None)
    @given(values_for(key), st.sampled_from(["en", "sw"]))
    def renders(values, language):
        text = render(key, language, **values)
        assert is_gsm7(text) and "{" not in text and sms_parts(text) <= CATALOGUE[key].parts

    renders()


# --- the callbacks over HTTP ------------------------------------------------------------------

TOKEN = "fuzz"
junk = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["", "+254700000001", "0700000002", "254700000003", "Success", "Failed", "2026-11-30 09:00:00", "1*2*0"]
    ),
)
FORMS = {
    "/webhooks/sms": ("id", "from", "to", "text", "date", "linkId", "networkCode"),
    "/webhooks/sms/delivery": ("id", "status", "phoneNumber", "networkCode", "failureReason", "retryCount"),
    "/webhooks/sms/optout": ("senderId", "phoneNumber"),
    "/webhooks/ussd/events": ("sessionId", "phoneNumber", "status", "durationInMillis", "hopsCount", "date"),
}


@pytest.fixture
def callbacks(make_app):
    from tests.support.people import two_mentor_mothers

    app = make_app(WEBHOOK_TOKEN=TOKEN)
    from sms_service.bootstrap import get_services

    two_mentor_mothers(get_services(app))
    return app.test_client()


@pytest.mark.parametrize("path", sorted(FORMS))
def test_every_callback_answers_any_form_without_a_5xx(callbacks, path):
    @settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries({}, optional={f: junk for f in FORMS[path]}))
    def never_5xx(form):
        answer = callbacks.post(f"{path}?token={TOKEN}", data=form)
        assert answer.status_code < 500, (path, form, answer.status_code)

    never_5xx()


def test_the_ussd_callback_always_answers_con_or_end_in_160_characters(callbacks):
    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        st.fixed_dictionaries(
            {},
            optional={
                "sessionId": junk,
                "phoneNumber": junk,
                "serviceCode": junk,
                "networkCode": junk,
                "text": st.one_of(junk, choices.map("*".join)),
            },
        )
    )
    def always_a_screen(form):
        answer = callbacks.post(f"/webhooks/ussd?token={TOKEN}", data=form)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 200 and answer.mimetype == "text/plain"
        assert text.startswith(("CON ", "END ")) and len(text) <= 160

    always_a_screen()
