"""What a client's SMS does (SPEC "SMS keywords"), for every client on the sending phone.

Phones are often shared. STOP, START and the language act for every client on the number at
once; VISIT, CLINIC and YES need one client: the one named after the keyword ("VISIT AMINA"),
the only one, or (for YES) the only one with an open question; otherwise the reply asks
which, by first name. Anything else goes to each client's Mentor Mother's follow-up list,
with at most one automatic reply a day.
"""

from __future__ import annotations

from sqlalchemy import func, select

from ..followup.notes import note
from ..followup.store import open_tasks
from ..life_events import renewal
from ..models import Appointment, Facility, OutboundMessage, Transfer
from ..outbound import consent
from ..reminders.visits import next_visit
from ..texts.render import format_date, format_time, place_values
from ..transfers import check_in, choice
from ..transfers.notices import CHOICE_TEMPLATES, choices_text
from ..transfers.states import OPEN, move
from . import asks, danger
from .conversation import Conversation
from .keywords import POLITE, Reading, normalise

HER_OWN = frozenset({"stop", "start", "visit", "clinic", "language"})  # a Mentor Mother's own client keywords
QUESTIONS = ("transfer_notice", "transfer_follow_up", "reminder")  # messages that ask for a YES
SHOWN_AS = {"visit": ("VISIT", "TAREHE"), "clinic": ("CLINIC", "KLINIKI"), "yes": ("YES", "NDIO")}


def handle(talk: Conversation, clients: list, reading: Reading) -> None:
    talk.sms.client_id = clients[0].id if len(clients) == 1 else None
    if reading.keyword is None and not reading.words:
        talk.sms.intent = "empty"  # an empty SMS (or only punctuation): nothing to read, nobody to bother
        return
    alarm = danger.read(talk.sms.text or "", talk.config.danger_signs_file)
    if alarm:
        urgent(talk, clients, reading, alarm)
        if reading.keyword != "yes":  # her words were the danger, answered; a YES still confirms
            return
    if reading.keyword in (None, "yes") and answer(talk, clients, reading):
        return
    action = {
        "stop": stop,
        "start": start,
        "language": language,
        "help": help_,
        "visit": visit,
        "clinic": clinic,
        "yes": yes,
    }.get(reading.keyword or "", free_text)
    action(talk, clients, reading)


def shared_language(clients: list) -> str:
    languages = {c.language for c in clients}
    return languages.pop() if len(languages) == 1 else "sw"


def names(clients: list) -> str:
    return ", ".join(c.first_name for c in clients)


def choose(clients: list, words: tuple[str, ...]):
    """(the client meant, the words left): by a first name leading the words, or the only one."""
    if words:
        named = [c for c in clients if normalise(c.first_name)[:1] == [words[0]]]
        if len(named) == 1:
            return named[0], words[1:]
    return (clients[0], words) if len(clients) == 1 else (None, words)


def ask_which(talk: Conversation, clients: list, keyword: str) -> None:
    lang = shared_language(clients)
    shown = SHOWN_AS[keyword][1 if lang == "sw" else 0]
    talk.reply("reply.which_client", lang, names=names(clients), keyword=shown, first_name=clients[0].first_name)
    talk.sms.intent = f"{keyword}:which"


# -- everyone on the phone at once --------------------------------------------------------------


def stop(talk: Conversation, clients: list, reading: Reading) -> None:
    changed = any(c.opted_out_at is None for c in clients)
    consent.opt_out(talk.session, talk.sms.phone, "sms_keyword", "STOP by SMS", now=talk.now)
    if changed:  # one confirmation; a repeated STOP is not answered
        talk.reply("reply.opted_out", shared_language(clients), purpose="opt_out_confirmation")


def start(talk: Conversation, clients: list, reading: Reading) -> None:
    if reading.words and choose(clients, reading.words)[1]:
        return free_text(talk, clients, reading)
    opted_out = [c for c in clients if c.opted_out_at is not None]
    if opted_out and consent.blocked_by_network(talk.session, talk.sms.phone):  # only a person can sort it out
        for client in opted_out:
            _task(talk, client, "opt_in_blocked")
        talk.sms.intent = "start:blocked"
        return
    renewal.opt_back_in(
        talk.session, talk.sms.phone, "sms_keyword", detail="START by SMS", now=talk.now, config=talk.config
    )
    talk.reply("reply.opted_in", shared_language(clients), first_name=names(clients))


def language(talk: Conversation, clients: list, reading: Reading) -> None:
    if reading.language is None:
        return talk.reply("reply.language_choice", shared_language(clients))
    for client in clients:
        client.language = reading.language
        client.updated_at = talk.now
    talk.reply("reply.language_set", reading.language)


def help_(talk: Conversation, clients: list, reading: Reading) -> None:
    if reading.words and choose(clients, reading.words)[1]:
        return free_text(talk, clients, reading)  # "help me, the baby is sick": a person must read it
    code = talk.config.ussd_code
    if code:
        talk.reply("reply.help", shared_language(clients), ussd_code=code)
    else:
        talk.reply("reply.help_sms", shared_language(clients))


# -- one client ---------------------------------------------------------------------------------


def the_one(talk: Conversation, clients: list, reading: Reading):
    """The client a VISIT or CLINIC is about; None once it was answered otherwise (asked which,
    or more words than a name: free text for a person)."""
    client, rest = choose(clients, reading.words)
    if rest:
        return free_text(talk, clients, reading)
    if client is None:
        return ask_which(talk, clients, reading.keyword or "")
    talk.sms.client_id = client.id
    return client


def visit(talk: Conversation, clients: list, reading: Reading) -> None:
    client = the_one(talk, clients, reading)
    if client is None:
        return
    appointment = next_visit(talk.session, client.id, talk.today)
    if appointment is None:
        return talk.reply("reply.no_visit", client.language, client_id=client.id, first_name=client.first_name)
    facility = talk.session.get_one(Facility, appointment.facility_id)
    talk.reply(
        "reply.next_visit",
        client.language,
        client_id=client.id,
        first_name=client.first_name,
        date=format_date(appointment.date, client.language),
        time=format_time(appointment.time, client.language),
        facility_name=facility.name,
    )


def clinic(talk: Conversation, clients: list, reading: Reading) -> None:
    client = the_one(talk, clients, reading)
    if client is None:
        return
    transfer = talk.session.scalar(
        select(Transfer)
        .where(Transfer.client_id == client.id, Transfer.status.in_(Transfer.GUIDING_STATES))
        .order_by(Transfer.effective_date.desc())
        .limit(1)
    )
    if transfer is not None:
        talk.reply(
            "reply.clinic_pending_transfer",
            client.language,
            client_id=client.id,
            date=format_date(transfer.effective_date, client.language),
            **place_values(transfer.to_facility, client.language),
        )
    else:
        talk.reply(
            "reply.clinic", client.language, client_id=client.id, **place_values(client.facility, client.language)
        )


def yes(talk: Conversation, clients: list, reading: Reading) -> None:
    client, rest = choose(clients, reading.words)
    candidates = [client] if client is not None else clients
    questions = open_questions(talk, candidates)
    if client is None and len({q[0].id for q in questions}) > 1:
        return ask_which(talk, clients, "yes")
    if not questions:
        talk.reply("reply.nothing_to_confirm", shared_language(candidates))
    else:
        answerer, subject, record, _ = questions[0]
        talk.sms.client_id = answerer.id
        if isinstance(record, Transfer):
            move(
                talk.session,
                record,
                "acknowledged",
                cause="client_sms",
                actor=f"client:{answerer.id}",
                now=talk.now,
                detail="replied YES by SMS",
            )
        else:
            record.confirmed_at = talk.now
        talk.sms.intent = f"yes:{subject}"[:24]
        talk.reply("reply.confirmed", answerer.language, client_id=answerer.id, first_name=answerer.first_name)
    if rest:  # "ndio, lakini nitachelewa": the comment is for a person
        for who in candidates:
            _task(talk, who, "free_text")


def open_questions(talk: Conversation, clients: list) -> list[tuple]:
    """(client, subject, record, template) of questions sent to these clients and not yet
    answered, newest first."""
    by_id = {c.id: c for c in clients}
    sent = talk.session.execute(
        select(OutboundMessage.client_id, OutboundMessage.subject, OutboundMessage.template)
        .where(
            OutboundMessage.client_id.in_(by_id),
            OutboundMessage.purpose.in_(QUESTIONS),
            OutboundMessage.status.in_(("sent", "delivered")),
        )
        .order_by(func.coalesce(OutboundMessage.sent_at, OutboundMessage.created_at).desc(), OutboundMessage.id.desc())
        .limit(20)
    ).all()
    found = []
    for client_id, subject, template in sent:
        kind, _, key = (subject or "").partition(":")
        key = key.split("@")[0]
        if not key.isdigit():
            continue
        record: Transfer | Appointment | None
        if kind == "transfer":
            transfer = record = talk.session.get(Transfer, int(key))
            if transfer is None:
                open_ = False
            elif template == "transfer.check_in":
                open_ = transfer.check_in == "asked" and transfer.status in OPEN
            elif template in CHOICE_TEMPLATES:
                open_ = transfer.choose_by is not None and transfer.status in OPEN
            else:
                open_ = transfer.status in ("planned", "notified")
        elif kind == "appointment":
            visit = record = talk.session.get(Appointment, int(key))
            open_ = (
                visit is not None
                and visit.status == "scheduled"
                and visit.date >= talk.today
                and visit.confirmed_at is None
            )
        else:
            continue
        if open_ and record is not None and record.client_id == client_id:
            found.append((by_id[client_id], subject, record, template))
    return found


# -- answers to a transfer's own question: a choice of clinic, the check-in ---------------------


def answer(talk: Conversation, clients: list, reading: Reading) -> bool:
    """A reply to the newest question when it is a choice of clinic ("2", "Tumaini") or the
    check-in ("1" yes, "2" or any text: help). False when it is not for one of those."""
    client, rest = choose(clients, reading.words)
    questions = open_questions(talk, [client] if client is not None else clients)
    if not questions or (client is None and len({q[0].id for q in questions}) > 1):
        return False
    # her clinic choice or the check-in, when open, is what a number answers (a reminder asking
    # YES the same morning is answered by it too: choosing or arriving confirms)
    who = questions[0][0]
    _, _, record, template = next(
        (q for q in questions if q[0] is who and (q[3] == "transfer.check_in" or q[3] in CHOICE_TEMPLATES)),
        questions[0],
    )
    if not isinstance(record, Transfer):
        return False
    said_yes = reading.keyword == "yes" and not rest
    words = tuple(rest) if reading.keyword is None else ()
    actor = f"client:{who.id}"
    if template == "transfer.check_in":
        if not said_yes and not words:
            return False
        talk.sms.client_id = who.id
        clinic = talk.session.get_one(Facility, record.to_facility_id)
        if said_yes:
            check_in.answered(
                talk.session,
                record,
                "arrived",
                actor=actor,
                now=talk.now,
                config=talk.config,
                detail="replied 1 by SMS",
            )
            talk.sms.intent = "check_in:arrived"
            talk.reply(
                "reply.check_in_arrived",
                who.language,
                client_id=who.id,
                first_name=who.first_name,
                facility_name=clinic.name,
            )
            return True
        check_in.answered(
            talk.session,
            record,
            "help",
            actor=actor,
            now=talk.now,
            config=talk.config,
            detail="she replied 2" if words == ("2",) else "see her SMS",
        )
        if words == ("2",):
            talk.sms.intent = "check_in:help"
            talk.reply("reply.check_in_help", who.language, client_id=who.id, first_name=who.first_name)
            return True
        return False  # her own words: also on her Mentor Mother's list as she wrote them
    if template in CHOICE_TEMPLATES:
        clinics = choice.offered(talk.session, record)
        picked = next((c for c in clinics if c is not None), None) if said_yes else named(clinics, words)
        if picked is None:
            if words and all(w.isdigit() for w in words):  # a number not offered: asked again
                talk.sms.client_id = who.id
                talk.sms.intent = "choice:again"
                talk.reply(
                    "reply.choose_again",
                    who.language,
                    client_id=who.id,
                    first_name=who.first_name,
                    choices=choices_text(clinics, who.language),
                )
                return True
            return False
        talk.sms.client_id = who.id
        choice.choose(talk.session, record, picked, cause="client_sms", actor=actor, now=talk.now, config=talk.config)
        talk.sms.intent = f"choice:{picked.code}"[:24]
        talk.reply(
            "reply.clinic_chosen",
            who.language,
            client_id=who.id,
            first_name=who.first_name,
            date=format_date(record.effective_date, who.language),
            **place_values(picked, who.language),
        )
        return True
    return False


def named(clinics: list[Facility | None], words: tuple[str, ...]) -> Facility | None:
    """The one offered clinic a reply names: by its number, or by words all found in its name."""
    if len(words) == 1 and words[0].isdigit():
        n = int(words[0])
        return clinics[n - 1] if 1 <= n <= len(clinics) else None
    wanted = set(words) - POLITE
    fits = [c for c in clinics if c is not None and wanted and wanted <= set(normalise(c.name))]
    return fits[0] if len(fits) == 1 else None


# -- a danger sign ------------------------------------------------------------------------------


def urgent(talk: Conversation, clients: list, reading: Reading, signs: list[str]) -> None:
    """A danger sign in her SMS: an urgent task at once on her Mentor Mother's list (which her
    facility's supervisor sees too), and one reply telling her to go to a facility now."""
    client, _ = choose(clients, reading.words)
    who = [client] if client is not None else clients
    open_tasks(
        talk.session,
        [
            {
                "client_id": c.id,
                "kind": "danger_sign",
                "subject": f"sms:{talk.sms.id}",
                "inbound_message_id": talk.sms.id,
                "dedupe_key": f"danger_sign:{talk.sms.id}:{c.id}",
                "priority": "urgent",
                **note("danger_sign", signs=list(signs)),
            }
            for c in who
        ],
        now=talk.now,
        today=talk.today,
    )
    talk.sms.intent = "danger"
    first = who[0]
    clinic = first.facility
    phone = (clinic.phone if clinic is not None else None) or (
        first.mentor_mother.phone if first.mentor_mother else None
    )
    talk.reply(
        "reply.danger",
        first.language if len(who) == 1 else shared_language(who),
        subject=f"danger:{talk.sms.id}",
        client_id=first.id if len(who) == 1 else None,
        first_name=names(who),
        facility_phone=phone or "999",  # no clinic or Mentor Mother phone: Kenya's emergency number
    )


# -- anything else ------------------------------------------------------------------------------


def free_text(talk: Conversation, clients: list, reading: Reading) -> None:
    """Her words go to her Mentor Mother's list; asking for another visit date, as a change of
    date the list can answer with the new day (as USSD 3 does)."""
    client, _ = choose(clients, reading.words)
    wants_date = asks.asks_new_date(talk.sms.text or "")
    for who in [client] if client is not None else clients:
        if wants_date:
            _date_task(talk, who)
        else:
            _task(talk, who, "free_text")
    talk.sms.intent = "change_date" if wants_date else "free_text"
    first = client or clients[0]
    talk.reply(
        "reply.auto_ack",
        first.language if client else shared_language(clients),
        subject=f"auto_ack:{talk.written_on.isoformat()}",
        first_name=first.first_name if client else names(clients),
    )


def _date_task(talk: Conversation, client) -> None:
    visit = next_visit(talk.session, client.id, talk.today)
    open_tasks(
        talk.session,
        [
            {
                "client_id": client.id,
                "kind": "change_date",
                "subject": f"appointment:{visit.id}" if visit else f"sms:{talk.sms.id}",
                "inbound_message_id": talk.sms.id,
                "dedupe_key": f"change_date:sms:{talk.sms.id}:{client.id}",
                **note("change_date_sms"),
            }
        ],
        now=talk.now,
        today=talk.today,
    )


def _task(talk: Conversation, client, kind: str) -> None:
    open_tasks(
        talk.session,
        [{"client_id": client.id, "kind": kind, "subject": f"sms:{talk.sms.id}", "inbound_message_id": talk.sms.id}],
        now=talk.now,
        today=talk.today,
    )
