"""Every SMS a client or Mentor Mother can read: the English and the budgets here, the Kiswahili
in `languages/catalogues/sw/LC_MESSAGES/sms.po` (its msgctxt the key, its msgid the English), the
file a translator reviews (`sms-service translations export` / `import`).

Neutral wording everywhere (care.md, "Discreet wording"): "your clinic visit", never the
reason for it. Each entry has a budget of SMS parts at the longest realistic values, checked
by `sms-service check-templates`. Every Kiswahili text needs a native speaker's review
before use in the field.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Template:
    en: str
    sw: str = ""  # from languages/catalogues/sw/LC_MESSAGES/sms.po (below)
    parts: int = 1
    audience: str = "client"  # client | mentor_mother

    def text(self, language: str) -> str:
        return self.sw if language == "sw" and self.sw else self.en


CATALOGUE: dict[str, Template] = {
    # --- replies to a client's own SMS ----------------------------------------------------------
    "reply.opted_out": Template(
        en="You will get no more messages from us. To start again, reply START.",
    ),
    "reply.opted_in": Template(
        en="Welcome back {first_name}. You will get your clinic visit messages again. Reply STOP to stop.",
    ),
    "reply.help": Template(
        en="Reply VISIT for your next visit, CLINIC for your clinic, YES to confirm, SW for Kiswahili, STOP to stop messages. Or dial {ussd_code}.",
    ),
    "reply.help_sms": Template(  # when no USSD code is configured
        en="Reply VISIT for your next visit, CLINIC for your clinic, YES to confirm, SW for Kiswahili, STOP to stop messages.",
    ),
    "reply.which_client": Template(
        en="This phone is used by {names}. Reply {keyword} and the name, for example {keyword} {first_name}.",
    ),
    "reply.language_choice": Template(
        en="Reply SW for Kiswahili or EN for English.",
    ),
    "reply.next_visit": Template(
        en="{first_name}, your next clinic visit is on {date} {time} at {facility_name}.",
    ),
    "reply.visit_moved": Template(  # she asked for another date, and a person set it
        en="{first_name}, your clinic visit is now on {date} {time} at {facility_name}. Reply VISIT to see it again.",
        parts=2,
    ),
    "reply.no_visit": Template(
        en="{first_name}, we have no clinic visit booked for you. Your Mentor Mother will contact you.",
    ),
    "reply.clinic": Template(
        en="Your clinic: {facility_name}, near {landmark}. Open {hours}. Tel {facility_phone}.",
        parts=2,  # a long name and Kiswahili hours at their longest: 180 characters
    ),
    "reply.clinic_pending_transfer": Template(
        en="From {date} go to {facility_name}, near {landmark}. Open {hours}. Tel {facility_phone}. Reply YES if you know the new clinic.",
        parts=2,
    ),
    "reply.confirmed": Template(
        en="Thank you {first_name}, we have noted your answer.",
    ),
    "reply.danger": Template(  # her SMS spoke of a danger sign: at once, whatever else it said
        en=(
            "{first_name}, please go to the nearest health facility now. If you cannot, call {facility_phone}. "
            "Your Mentor Mother will call you."
        ),
        parts=2,
    ),
    "reply.clinic_chosen": Template(
        en="Thank you {first_name}. From {date} your clinic is {facility_name}, near {landmark}. Tel {facility_phone}.",
        parts=2,
    ),
    "reply.choose_again": Template(
        en="{first_name}, please reply {choices}.",
        parts=2,
    ),
    "reply.check_in_arrived": Template(
        en="Thank you {first_name}. Welcome to {facility_name}.",
    ),
    "reply.check_in_help": Template(
        en="Thank you {first_name}. Your Mentor Mother will call you soon.",
    ),
    "reply.nothing_to_confirm": Template(
        en="Thank you. There is nothing to confirm now. Reply HELP for the options.",
    ),
    "reply.language_set": Template(
        en="You will now get messages in English.",
    ),
    "reply.auto_ack": Template(
        en="Thank you {first_name}, we got your message. Your Mentor Mother will reply soon.",
    ),
    "reply.unregistered": Template(
        en="This number is not registered. To join, visit your clinic or talk to a Mentor Mother. / Nambari hii haijasajiliwa. Tembelea kliniki yako.",
        parts=1,
    ),
    # --- visit reminders ----------------------------------------------------------------------
    "reminder.visit": Template(
        en="Hello {first_name}, a reminder of your clinic visit on {date} {time} at {facility_name}. Reply YES to confirm or call {mm_phone} to change the date.",
        parts=2,
    ),
    "reminder.infant_visit": Template(
        en="Hello {first_name}, a reminder of {infant_name}'s clinic visit on {date} {time} at {facility_name}. Reply YES to confirm or call {mm_phone} to change the date.",
        parts=2,
    ),
    "reminder.missed_visit": Template(
        en="Hello {first_name}, we missed you at {facility_name} on {date}. Please call {mm_phone} or reply to choose a new date.",
        parts=2,
    ),
    # --- transfers (care.md: the six items of a transfer notice) -------------------------------
    "transfer.notice": Template(
        en=(
            "Hello {first_name}, from {date} your clinic visits will be at {facility_name}, near {landmark}. "
            "Open {hours}, tel {facility_phone}. Bring your clinic book and all your current medicines. "
            "Reply YES or dial {ussd_code} to confirm. If stuck, call {mm_name} on {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.notice_sms": Template(  # when no USSD code is configured
        en=(
            "Hello {first_name}, from {date} your clinic visits will be at {facility_name}, near {landmark}. "
            "Open {hours}, tel {facility_phone}. Bring your clinic book and all your current medicines. "
            "Reply YES to confirm. If stuck, call {mm_name} on {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.reminder": Template(
        en="Hello {first_name}, from {date} your clinic is {facility_name}, near {landmark}. Reply YES if you know it, or call {mm_name} on {mm_phone}.",
        parts=2,
    ),
    "transfer.arrival_check": Template(
        en="Hello {first_name}, have you been to {facility_name} yet? Dial {ussd_code} and choose My clinic to tell us, or call {mm_phone}.",
        parts=2,
    ),
    "transfer.arrival_check_sms": Template(
        en="Hello {first_name}, have you been to {facility_name} yet? Please call {mm_phone} to tell us.",
        parts=2,
    ),
    "transfer.correction": Template(  # a chained closure: the clinic she was sent to closes in turn
        en=(
            "Hello {first_name}, change of plan: {old_clinic} is closing. From {date} your clinic visits will be at "
            "{facility_name}, near {landmark}. Open {hours}, tel {facility_phone}. "
            "Reply YES or dial {ussd_code} to confirm. If stuck, call {mm_name} on {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.correction_sms": Template(  # when no USSD code is configured
        en=(
            "Hello {first_name}, change of plan: {old_clinic} is closing. From {date} your clinic visits will be at "
            "{facility_name}, near {landmark}. Open {hours}, tel {facility_phone}. "
            "Reply YES to confirm. If stuck, call {mm_name} on {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.choice": Template(  # a closure offering up to three clinics ({choices}: "1 for A, 2 for B or 3 for C")
        en=(
            "Hello {first_name}, from {date} your clinic visits move. Choose your new clinic: reply {choices}. "
            "No reply by {choose_by}: {facility_name}. Bring your clinic book and medicines. "
            "Help: {mm_name} {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.correction_choice": Template(  # a chained closure offering a choice
        en=(
            "Hello {first_name}, change of plan: {old_clinic} is closing. From {date} choose your clinic: "
            "reply {choices}. If you do not choose by {choose_by}, it will be {facility_name}. "
            "If stuck, call {mm_name} on {mm_phone}."
        ),
        parts=3,
    ),
    "transfer.check_in": Template(  # two days after the effective date, at 09:00
        en="Hello {first_name}, have you been to {facility_name}? Reply 1 if yes, 2 if you need help.",
    ),
    # --- a life event -------------------------------------------------------------------------
    "notice.new_number": Template(  # her first message at a new number (life event number_changed)
        en="Hello {first_name}, your clinic messages will now come to this number. Reply STOP to stop them.",
    ),
    # --- Mentor Mothers -----------------------------------------------------------------------
    "mm.help": Template(
        en=(
            "To message all your clients send: BC your message. We reply with the count and a code; send YES and "
            "the code to send it. To answer one client send: REPLY her name or client number, then your message."
        ),
        parts=3,
        audience="mentor_mother",
    ),
    "mm.answer_help": Template(
        en="To answer one client send: REPLY her name or client number, then your message. Example: REPLY {first_name} See you on Monday.",
        parts=2,
        audience="mentor_mother",
    ),
    "mm.answer_sent": Template(
        en="Sent to {first_name}: {parts} SMS.",
        audience="mentor_mother",
    ),
    "mm.answer_already": Template(
        en="That answer already went to {first_name}. Nothing more is sent.",
        audience="mentor_mother",
    ),
    "mm.answer_which": Template(
        en="Which client? {names}. Send REPLY and her client number, then your message.",
        parts=2,
        audience="mentor_mother",
    ),
    "mm.answer_no_client": Template(
        en="None of your clients is called {first_name}. Send REPLY, her name or client number, then your message.",
        parts=2,
        audience="mentor_mother",
    ),
    "mm.answer_not_reachable": Template(
        en="Not sent: {first_name} stopped our messages and has not written in the last 7 days. Please call her.",
        parts=2,
        audience="mentor_mother",
    ),
    "mm.broadcast_preview": Template(
        en="Your message goes to {count} clients, {parts} SMS each. Reply YES {code} within 30 minutes to send it.",
        audience="mentor_mother",
    ),
    "mm.broadcast_refused": Template(  # never repeats the word: her phone may be seen too
        en="Not sent: your message has a word we never send to clients, about the care they get. Please write it another way.",
        audience="mentor_mother",
    ),
    "mm.broadcast_too_long": Template(
        en="Not sent: your message is {parts} SMS long. Please make it shorter (at most 3 SMS).",
        audience="mentor_mother",
    ),
    "mm.broadcast_no_clients": Template(
        en="You have no clients to send a message to.",
        audience="mentor_mother",
    ),
    "mm.broadcast_needs_approval": Template(
        en="Your message to {count} clients needs a supervisor's approval. It will be sent once approved.",
        audience="mentor_mother",
    ),
    "mm.broadcast_sent": Template(
        en="Your message will go to {count} clients from {time}.",
        audience="mentor_mother",
    ),
    "mm.broadcast_expired": Template(
        en="That code has expired. Send BC and your message again.",
        audience="mentor_mother",
    ),
    "mm.broadcast_wrong_code": Template(
        en="That code is not right. {left} tries left: reply YES and the code we sent you.",
        audience="mentor_mother",
    ),
    "mm.broadcast_wrong_codes_cancelled": Template(
        en="Three wrong codes: your message was cancelled and not sent. Send BC and your message again to start over.",
        audience="mentor_mother",
    ),
    "mm.broadcast_already_sent": Template(
        en="That message was already sent, to {count} clients. Nothing more is sent.",
        audience="mentor_mother",
    ),
    "mm.broadcast_cancelled": Template(
        en="Your message was not sent.",
        audience="mentor_mother",
    ),
    "mm.unknown_command": Template(
        en="Sorry, we did not understand. Send BC and your message to write to all your clients, REPLY to answer one, or HELP.",
        parts=2,
        audience="mentor_mother",
    ),
}

# Longest realistic values, for the parts budget; phone numbers in the invented test range.


def with_kiswahili(catalogue: dict[str, Template], kiswahili: dict[str, str] | None = None) -> dict[str, Template]:
    """Each template with its Kiswahili: the catalogue's (`sms.po`), or a translator's under review."""
    if kiswahili is None:
        from ..languages.texts import kiswahili as of_catalogue

        kiswahili = of_catalogue("sms", {key: t.en for key, t in catalogue.items()})
    return {key: replace(t, sw=kiswahili.get(key, "")) for key, t in catalogue.items()}


ENGLISH = CATALOGUE
CATALOGUE = with_kiswahili(ENGLISH)

SAMPLE_LONGEST: dict[str, str] = {
    "first_name": "Wanjiku-Nyambura Akin",  # 20+ characters
    "infant_name": "Nyambura-Wairimu Ak",
    "facility_name": "Kangemi Level Four Health Centre Annex",
    "landmark": "the Total petrol station by the old market",  # no preposition of its own: "near" counts
    "hours": "Mon-Fri 8am-5pm, Sat 8am-1pm",
    "facility_phone": "+254700001234",
    "mm_name": "Mary Atieno Odhiambo-Wek",
    "mm_phone": "+254700001235",
    "date": "Wednesday 30 September 2026",
    "time": "at 10:30",
    "ussd_code": "*384*12345#",
    "code": "4821",
    "count": "9999",
    "parts": "3",
    "left": "2",
    "names": "Wanjiku-Nyambura Akin, Nyambura-Wairimu Ak",
    "keyword": "KLINIKI",
    "old_clinic": "Kangemi Level Four Health Centre Annex",
    "choose_by": "Wednesday 30 September 2026",
    "choices": (
        "1 for Kangemi Level Four Health Centre Annex, 2 for Riruta Satellite Level Three Dispensary "
        "or 3 for Waithaka Sub-County Hospital Main Wing"
    ),
}
SAMPLE_LONGEST_SW: dict[str, str] = {
    "hours": "Jumatatu-Ijumaa 08:00-17:00, Jumamosi 08:00-13:00",  # structured hours, said in Kiswahili
    "date": "Jumatano 30 Septemba 2026",
    "time": "saa 10:30",
    "choose_by": "Jumatano 30 Septemba 2026",
    "choices": (
        "1 kwa Kangemi Level Four Health Centre Annex, 2 kwa Riruta Satellite Level Three Dispensary "
        "au 3 kwa Waithaka Sub-County Hospital Main Wing"
    ),
}
