"""Every USSD text: the English here, the Kiswahili in `languages/catalogues/sw/LC_MESSAGES/ussd.po`
(its msgctxt the key, its msgid the English: a translator's file, `sms-service translations`).
ASCII only (what every handset shows). Neutral wording: "clinic visit", never why. Checked by
`sms-service ussd check`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

ENGLISH: dict[str, str] = {
    "greeting": "Hello {name}",
    "next_visit": "1. My next visit",
    "my_clinic": "2. My clinic",
    "change_date": "3. Change a visit date",
    "call_me": "4. Call me back",
    "language": "5. Language / Lugha",
    "stop": "6. Stop messages",
    "start": "6. Start messages",
    "back": "0. Back",
    "home": "00. Home",
    "more": "98. More",
    "invalid": "Invalid choice",
    "visit": "Next visit: {date}{time}, {clinic}.",
    "infant_visit": "{infant}'s next visit: {date}{time}, {clinic}.",
    "no_visit": "No visit is booked. Your Mentor Mother will contact you.",
    "clinic": "{clinic}, near {landmark}. Open {hours}. Tel {phone}",
    "new_clinic": "From {date} go to {clinic}, near {landmark}. Open {hours}. Tel {phone}",
    "new_clinic_lead": "From {date} go to {clinic}.",
    "choose_clinic": "From {date} choose your clinic:",
    "noted_choice": "Thank you. From {date} your clinic is {clinic}.",
    "i_know": "1. I know my new clinic",
    "arrived": "2. I have arrived",
    "noted_know": "Thank you. We have noted that you know your new clinic.",
    "noted_arrived": "Welcome to {clinic}. Thank you for telling us.",
    "which_visit": "Which visit?",
    "why_change": "Why?\n1. Travel\n2. Work\n3. Not well\n4. Other",
    "change_noted": "Your Mentor Mother will call you to agree a new date.",
    "call_noted": "Your Mentor Mother will call you soon.",
    "choose_language": "Choose language\n1. English\n2. Kiswahili",
    "language_set": "You will now get messages in English.",
    "why_stop": "Why stop?\n1. No longer needed\n2. I moved\n3. Too many messages\n4. Other",
    "stopped": "You will get no more messages. Dial again to start them.",
    "start_confirm": "Get clinic visit messages again?\n1. Yes",
    "started": "Welcome back. You will get your clinic visit messages again.",
    "blocked": "Your network is blocking our messages. Your Mentor Mother will help you.",
}


def with_kiswahili(kiswahili: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    """Each text in both languages: the Kiswahili of the catalogue (`ussd.po`), or a translator's
    under review; "" where it has none (`ussd check` says so, the menu falls back to English)."""
    if kiswahili is None:
        from ..languages.texts import kiswahili as of_catalogue

        kiswahili = of_catalogue("ussd", ENGLISH)
    return {key: {"en": english, "sw": kiswahili.get(key, "")} for key, english in ENGLISH.items()}


TEXTS = with_kiswahili()


@contextmanager
def trying(candidate: dict[str, dict[str, str]]) -> Iterator[None]:
    """The menu speaking a translator's texts under review (`translations import` walks every
    screen with them), then its own again: one process's command, never a running service."""
    saved = {key: dict(texts) for key, texts in TEXTS.items()}
    TEXTS.update(candidate)
    try:
        yield
    finally:
        TEXTS.update(saved)


# Before we know who is calling: both languages on one screen
WHICH = "Choose / Chagua:"
JOIN = (
    "This number is not registered. To join, visit a clinic or a Mentor Mother. "
    "Nambari hii haijasajiliwa. Tembelea kliniki au Mama Mshauri."
)
SORRY = "Sorry, the service is not available now. Try later. Samahani, huduma haipatikani sasa."
