"""The words for the codes the domain hands to the pages ("task.missed_visit", "msg.delivered",
"said.free_text") and for what the views say themselves, as gettext messages marked `N_`: extracted
(`languages/babel.cfg`) into `languages/catalogues/*/messages.po` like every `_()` in the pages, and
said in the reader's language by `words`, which the pages' `_()` is too."""

from __future__ import annotations

from datetime import date

from flask import has_request_context
from flask_babel import gettext

from ..followup.notes import WHY, shown
from ..languages import N_, Said
from ..texts.dates import on_page
from .reader import language

LABELS = {
    # role
    "role.admin": N_("admin"),
    "role.supervisor": N_("supervisor"),
    "role.mentor_mother": N_("Mentor Mother"),
    # login
    "login.wrong": N_("Wrong username or password. After many tries, wait 15 minutes and try again."),
    "login.throttled": N_("Too many failed logins from this address. Try again in 15 minutes."),
    # tasks
    "tasks.recorded": N_("Recorded."),
    # task
    "task.missed_visit": N_("Missed a visit"),
    "task.visit_defaulted": N_("Visit missed a week ago"),
    "task.visit_lost": N_("Not seen for a month"),
    "task.transfer_no_phone": N_("Transfer: no phone to tell her"),
    "task.transfer_notice_failed": N_("Transfer notice did not reach her"),
    "task.transfer_unconfirmed": N_("Transfer not confirmed"),
    "task.tracing": N_("Trace: not at the new clinic"),
    "task.transfer_outcome": N_("Record the transfer's outcome"),
    "task.transfer_choice_default": N_("She did not choose her new clinic: the first stands"),
    "task.transfer_check_in": N_("Check-in: she needs help reaching her clinic"),
    "task.free_text": N_("She sent an SMS"),
    "task.danger_sign": N_("Danger sign in her SMS"),
    "task.call_back": N_("Call her back"),
    "task.change_date": N_("She asks to change a visit date"),
    "task.opt_in_blocked": N_("She wants messages again"),
    "task.alert": N_("Alert"),
    # outcome
    "outcome.reached": N_("Reached her"),
    "outcome.visited": N_("Visited her"),
    "outcome.not_needed": N_("No longer needed"),
    "outcome.arrived": N_("Arrived at the new clinic"),
    "outcome.moved_elsewhere": N_("Moved elsewhere"),
    "outcome.declined": N_("Declined"),
    "outcome.died": N_("Died"),
    # client
    "client.active": N_("active"),
    "client.transferred": N_("transferred"),
    "client.inactive": N_("inactive"),
    # event
    "event.sms_out": N_("SMS to her"),
    "event.sms_in": N_("SMS from her"),
    "event.visit": N_("Visit"),
    "event.transfer": N_("Transfer"),
    "event.consent": N_("Consent"),
    "event.task": N_("Task"),
    "event.life_event": N_("Life event"),
    # muted
    "muted.none": N_("receives messages"),
    "muted.died": N_("gets no messages: she has died"),
    "muted.moved_away": N_("gets no messages: she has moved away"),
    "muted.inactive": N_("gets no messages: no longer in care"),
    "muted.opted_out": N_("gets no messages: she sent STOP"),
    "muted.network_block": N_("gets no messages: her network blocks us"),
    # life
    "life.kind": N_("What"),
    "life.date": N_("On"),
    "life.infant": N_("Which baby (date of birth)"),
    "life.new_phone": N_("New phone number"),
    "life.note": N_("Note (optional)"),
    "life.recorded": N_("Recorded."),
    "life.already": N_("This was already recorded: nothing changed."),
    "life.retracted": N_("Undone: what is still to come is planned again."),
    # life_kind
    "life_kind.died": N_("She has died"),
    "life_kind.infant_died": N_("Her baby has died"),
    "life_kind.pregnancy_loss": N_("Pregnancy loss"),
    "life_kind.moved_away": N_("She has moved away"),
    "life_kind.number_changed": N_("She has a new phone number"),
    # life_does
    "life_does.died": N_(
        "She will get no more messages. Her visits are cancelled, her open transfer ends, and the "
        "tasks about her are closed."
    ),
    "life_does.infant_died": N_(
        "The baby's visits and their reminders are cancelled, and no message names the baby again. "
        "Her own care goes on. Her Mentor Mother is asked to call her."
    ),
    "life_does.pregnancy_loss": N_(
        "Her antenatal visits and their reminders are cancelled and her due date is cleared. Her "
        "Mentor Mother is asked to call her."
    ),
    "life_does.moved_away": N_(
        "She will get no more messages. Her visits are cancelled and her open transfer ends as moved elsewhere."
    ),
    "life_does.number_changed": N_("Her messages go to the new number from now on; one short SMS tells that number."),
    # task
    "task.loss_support": N_("Call her: a loss was recorded"),
    # funnel
    "funnel.title": N_("Transfers: notified, delivered, confirmed, arrived, by days since the effective date"),
    "funnel.day": N_("Day %(day)s: %(count)s transfers"),
    "funnel.summary": N_(
        "By day %(day)s, of %(count)s transfers: %(notified)s notified, %(delivered)s delivered, "
        "%(acknowledged)s confirmed, %(arrived)s arrived."
    ),
    "funnel.empty": N_("No transfer has reached its date yet."),
    # transfer
    "transfer.recorded": N_("Recorded."),
    "transfer.planned": N_("planned"),
    "transfer.notified": N_("notified"),
    "transfer.acknowledged": N_("confirmed"),
    "transfer.arrived": N_("arrived"),
    "transfer.lost_to_follow_up": N_("lost to follow-up"),
    "transfer.moved_elsewhere": N_("moved elsewhere"),
    "transfer.declined": N_("declined"),
    "transfer.died": N_("died"),
    "transfer.cancelled": N_("cancelled"),
    "transfer.rerouted": N_("sent on: her clinic closed"),
    # count
    "count.clients": N_("Clients"),
    "count.planned": N_("Not told yet"),
    "count.notified": N_("Notified"),
    "count.delivered": N_("Delivered"),
    "count.acknowledged": N_("Confirmed"),
    "count.arrived": N_("Arrived"),
    "count.lost": N_("Lost"),
    "count.other": N_("Other"),
    "count.messages": N_("Messages"),
    "count.queued": N_("Waiting"),
    "count.sent": N_("Sent"),
    "count.failed": N_("Failed"),
    "count.cancelled": N_("Cancelled"),
    # broadcast
    "broadcast.bad_time": N_("Choose the date and time to send."),
    "broadcast.done_approve": N_("Approved."),
    "broadcast.done_cancel": N_("Cancelled: what was not sent stays unsent."),
    "broadcast.scheduled": N_("scheduled"),
    "broadcast.awaiting_approval": N_("waiting for approval"),
    "broadcast.awaiting_confirmation": N_("waiting for her code"),
    "broadcast.sending": N_("sending"),
    "broadcast.sent": N_("sent"),
    "broadcast.cancelled": N_("cancelled"),
    # stage
    "stage.pregnant": N_("pregnant"),
    "stage.postnatal": N_("new mothers"),
    "stage.other": N_("other"),
    # status
    "status.scheduled": N_("scheduled"),
    "status.queued": N_("queued"),
    "status.sending": N_("sending"),
    "status.sent": N_("sent"),
    "status.delivered": N_("delivered"),
    "status.failed": N_("failed"),
    "status.unknown": N_("unknown"),
    "status.expired": N_("expired"),
    "status.suppressed": N_("held back"),
    "status.cancelled": N_("cancelled"),
    # answer
    "answer.sent": N_("Sent: %(parts)s SMS."),
    "answer.already": N_("That answer was sent before; nothing more was sent."),
    "answer.about": N_("Your answer closes: %(kind)s."),
    # said
    "said.sms": N_("Her SMS"),
    "said.free_text": N_("Her message"),
    "said.change_date": N_("She asks for another visit date"),
    "said.danger": N_("Danger sign"),
    "said.stop": N_("Asked to stop messages"),
    "said.start": N_("Asked for messages again"),
    "said.help": N_("Asked for help"),
    "said.visit": N_("Asked for her next visit"),
    "said.clinic": N_("Asked for her clinic"),
    "said.language": N_("Chose her language"),
    "said.yes": N_("Said yes"),
    "said.yes_transfer": N_("Confirmed her new clinic"),
    "said.yes_visit": N_("Confirmed her visit"),
    "said.choice": N_("Chose her new clinic"),
    "said.choice_again": N_("A choice we could not read"),
    "said.check_in_arrived": N_("Said she has arrived"),
    "said.check_in_help": N_("Said she needs help"),
    "said.which": N_("Asked; we asked which client"),
    "said.empty": N_("An empty SMS"),
    "said.unregistered": N_("From a number we do not know"),
    # sent
    "sent.answer": N_("Answer"),
    "sent.reply": N_("Automatic reply"),
    "sent.reminder": N_("Visit reminder"),
    "sent.missed_visit": N_("After a missed visit"),
    "sent.transfer_notice": N_("Transfer notice"),
    "sent.transfer_follow_up": N_("Transfer follow-up"),
    "sent.broadcast": N_("Broadcast"),
    "sent.opt_out_confirmation": N_("Stop confirmed"),
    "sent.number_changed": N_("To her new number"),
    # msg
    "msg.scheduled": N_("waiting"),
    "msg.queued": N_("about to go"),
    "msg.sending": N_("sending"),
    "msg.sent": N_("sent"),
    "msg.delivered": N_("delivered"),
    "msg.failed": N_("did not arrive"),
    "msg.unknown": N_("not known yet"),
    "msg.expired": N_("too late, not sent"),
    "msg.cancelled": N_("cancelled"),
    "msg.suppressed": N_("held back"),
    # ussd
    "ussd.call_back": N_("USSD: asked to be called back"),
    "ussd.change_date": N_("USSD: asked to change a visit date"),
    "ussd.start": N_("USSD: asked for messages again"),
    "ussd.stop": N_("USSD: stopped messages"),
    "ussd.knows_clinic": N_("USSD: knows her new clinic"),
    "ussd.arrived": N_("USSD: has arrived"),
    "ussd.chose_clinic": N_("USSD: chose her new clinic"),
    "ussd.clinic": N_("USSD: about her clinic"),
    # who
    "who.cli": N_("the command line"),
    "who.system": N_("the service"),
    "who.gateway": N_("the SMS provider"),
    "who.api": N_("another system"),
    # cause
    "cause.client_sms": N_("her SMS"),
    "cause.ussd": N_("her USSD choice"),
    "cause.clinic": N_("the clinic"),
    "cause.staff": N_("staff"),
    "cause.mentor_mother": N_("her Mentor Mother"),
    "cause.follow_up": N_("the follow-up"),
    "cause.gateway": N_("the SMS provider"),
    "cause.opted_out": N_("she stopped messages"),
    # quick
    "quick.added": N_("Added."),
    "quick.removed": N_("Removed."),
    # tasks
    "tasks.date_set": N_("The visit is moved; she is told by SMS."),
    "tasks.date_set_untold": N_(
        "The visit is moved. She stopped our messages and asked over 7 days ago, so she is not told "
        "by SMS: please call her."
    ),
    # outcome
    "outcome.answered": N_("Answered"),
    "outcome.date_changed": N_("New date set"),
    # import
    "import.facilities": N_("Facilities"),
    "import.mentor-mothers": N_("Mentor Mothers"),
    "import.clients": N_("Clients"),
    "import.appointments": N_("Visits"),
    "import.transfers": N_("Transfers"),
    "import.events": N_("Life events"),
    # sent (more purposes)
    "sent.transfer_check_in": N_("Transfer check-in"),
    "sent.transfer_choice": N_("Choice of new clinic"),
    "sent.visit_moved": N_("New visit date"),
    # visit kinds and states, consent, a task's state (the client's timeline)
    "visit_kind.anc": N_("antenatal"),
    "visit_kind.pnc": N_("postnatal"),
    "visit_kind.immunisation": N_("immunisation"),
    "visit_kind.infant_test": N_("baby's test"),
    "visit_kind.refill": N_("refill"),
    "visit_kind.other": N_("other"),
    "visit_status.scheduled": N_("booked"),
    "visit_status.attended": N_("came"),
    "visit_status.missed": N_("missed"),
    "visit_status.defaulted": N_("missed a week ago"),
    "visit_status.lost": N_("not seen for a month"),
    "visit_status.cancelled": N_("cancelled"),
    "visit_status.rescheduled": N_("moved"),
    "consent.opt_in": N_("messages started"),
    "consent.opt_out": N_("messages stopped"),
    "task_status.open": N_("to do"),
    "task_status.done": N_("done"),
    "task_status.cancelled": N_("cancelled"),
    "life_status.retracted": N_("undone"),
}


def words(message: str) -> str:
    """`message` in the reader's language, remembered per language: Flask-Babel's `gettext` costs
    some 6 µs a call (its locale and catalogue looked up each time), and a follow-up list of 50
    tasks asks for some 800 words. The catalogues are read once a process, as Flask-Babel reads them."""
    if not has_request_context():  # a page's words drawn outside a request (a test, an export): English
        return message
    key = (language(), message)
    found = _SAID.get(key)
    if found is None:
        found = _SAID[key] = gettext(message)
    return found


_SAID: dict[tuple[str, str], str] = {}


def label(key: str, default: str | None = None, **values) -> str:
    """The reader's words for a code (`default`, or the code itself, when it has none); `values`
    fill its %(name)s places, and "%%" is a percent sign, as in the pages' `_()`."""
    text = LABELS.get(key)
    if text is None:
        return key if default is None else default
    return words(text) % values


def said(text) -> str:
    """A `Said` (a refusal, a problem) in the reader's language, its dates as she reads them;
    any other text as it is."""
    if not isinstance(text, Said):
        return text
    values = {
        k: on_page(v, language()) if isinstance(v, date) else said(v) if isinstance(v, Said) else v
        for k, v in text.values.items()
    }
    return words(text.message) % values if values else words(text.message).replace("%%", "%")


def why_not(code: str | None) -> str:
    """Why an SMS did not reach her, in words (`followup.notes.WHY`), or the provider's code."""
    if not code:
        return ""
    return words(WHY[code]) if code in WHY else code.replace("_", " ")


def task_note(task) -> str:
    """A task's note in the reader's language (`followup.notes`); a person's note as written."""
    return shown(task.note, task.note_args, lambda m: words(m) if m else m, lambda d: on_page(d, language()))
