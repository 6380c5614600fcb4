"""The words for the codes the domain hands to the pages ("task.missed_visit", "msg.delivered",
"said.free_text") and for what the views say themselves, as gettext messages: extracted by
`pybabel extract` (babel.cfg) into the catalogues under translations/, like every `_()` in the pages."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from ..followup.notes import shown
from ..texts.dates import on_page
from .reader import language

LABELS = {
    # role
    "role.admin": _l("admin"),
    "role.supervisor": _l("supervisor"),
    "role.mentor_mother": _l("Mentor Mother"),
    # login
    "login.wrong": _l("Wrong username or password. After many tries, wait 15 minutes and try again."),
    "login.throttled": _l("Too many failed logins from this address. Try again in 15 minutes."),
    # tasks
    "tasks.recorded": _l("Recorded."),
    # task
    "task.missed_visit": _l("Missed a visit"),
    "task.visit_defaulted": _l("Visit missed a week ago"),
    "task.visit_lost": _l("Not seen for a month"),
    "task.transfer_no_phone": _l("Transfer: no phone to tell her"),
    "task.transfer_notice_failed": _l("Transfer notice did not reach her"),
    "task.transfer_unconfirmed": _l("Transfer not confirmed"),
    "task.tracing": _l("Trace: not at the new clinic"),
    "task.transfer_outcome": _l("Record the transfer's outcome"),
    "task.transfer_choice_default": _l("She did not choose her new clinic: the first stands"),
    "task.transfer_check_in": _l("Check-in: she needs help reaching her clinic"),
    "task.free_text": _l("She sent an SMS"),
    "task.danger_sign": _l("Danger sign in her SMS"),
    "task.call_back": _l("Call her back"),
    "task.change_date": _l("She asks to change a visit date"),
    "task.opt_in_blocked": _l("She wants messages again"),
    "task.alert": _l("Alert"),
    # outcome
    "outcome.reached": _l("Reached her"),
    "outcome.visited": _l("Visited her"),
    "outcome.not_needed": _l("No longer needed"),
    "outcome.arrived": _l("Arrived at the new clinic"),
    "outcome.moved_elsewhere": _l("Moved elsewhere"),
    "outcome.declined": _l("Declined"),
    "outcome.died": _l("Died"),
    # client
    "client.active": _l("active"),
    "client.transferred": _l("transferred"),
    "client.inactive": _l("inactive"),
    # event
    "event.sms_out": _l("SMS to her"),
    "event.sms_in": _l("SMS from her"),
    "event.visit": _l("Visit"),
    "event.transfer": _l("Transfer"),
    "event.consent": _l("Consent"),
    "event.task": _l("Task"),
    "event.life_event": _l("Life event"),
    # muted
    "muted.none": _l("receives messages"),
    "muted.died": _l("gets no messages: she has died"),
    "muted.moved_away": _l("gets no messages: she has moved away"),
    "muted.inactive": _l("gets no messages: no longer in care"),
    "muted.opted_out": _l("gets no messages: she sent STOP"),
    "muted.network_block": _l("gets no messages: her network blocks us"),
    # life
    "life.kind": _l("What"),
    "life.date": _l("On"),
    "life.infant": _l("Which baby (date of birth)"),
    "life.new_phone": _l("New phone number"),
    "life.note": _l("Note (optional)"),
    "life.recorded": _l("Recorded."),
    "life.already": _l("This was already recorded: nothing changed."),
    "life.retracted": _l("Undone: what is still to come is planned again."),
    # life_kind
    "life_kind.died": _l("She has died"),
    "life_kind.infant_died": _l("Her baby has died"),
    "life_kind.pregnancy_loss": _l("Pregnancy loss"),
    "life_kind.moved_away": _l("She has moved away"),
    "life_kind.number_changed": _l("She has a new phone number"),
    # life_does
    "life_does.died": _l(
        "She will get no more messages. Her visits are cancelled, her open transfer ends, and the "
        "tasks about her are closed."
    ),
    "life_does.infant_died": _l(
        "The baby's visits and their reminders are cancelled, and no message names the baby again. "
        "Her own care goes on. Her Mentor Mother is asked to call her."
    ),
    "life_does.pregnancy_loss": _l(
        "Her antenatal visits and their reminders are cancelled and her due date is cleared. Her "
        "Mentor Mother is asked to call her."
    ),
    "life_does.moved_away": _l(
        "She will get no more messages. Her visits are cancelled and her open transfer ends as moved elsewhere."
    ),
    "life_does.number_changed": _l("Her messages go to the new number from now on; one short SMS tells that number."),
    # task
    "task.loss_support": _l("Call her: a loss was recorded"),
    # funnel
    "funnel.title": _l("Transfers: notified, delivered, confirmed, arrived, by days since the effective date"),
    "funnel.day": _l("Day %(day)s: %(count)s transfers"),
    "funnel.summary": _l(
        "By day %(day)s, of %(count)s transfers: %(notified)s notified, %(delivered)s delivered, "
        "%(acknowledged)s confirmed, %(arrived)s arrived."
    ),
    "funnel.empty": _l("No transfer has reached its date yet."),
    # transfer
    "transfer.recorded": _l("Recorded."),
    "transfer.planned": _l("planned"),
    "transfer.notified": _l("notified"),
    "transfer.acknowledged": _l("confirmed"),
    "transfer.arrived": _l("arrived"),
    "transfer.lost_to_follow_up": _l("lost to follow-up"),
    "transfer.moved_elsewhere": _l("moved elsewhere"),
    "transfer.declined": _l("declined"),
    "transfer.died": _l("died"),
    "transfer.cancelled": _l("cancelled"),
    "transfer.rerouted": _l("sent on: her clinic closed"),
    # count
    "count.clients": _l("Clients"),
    "count.planned": _l("Not told yet"),
    "count.notified": _l("Notified"),
    "count.delivered": _l("Delivered"),
    "count.acknowledged": _l("Confirmed"),
    "count.arrived": _l("Arrived"),
    "count.lost": _l("Lost"),
    "count.other": _l("Other"),
    "count.messages": _l("Messages"),
    "count.queued": _l("Waiting"),
    "count.sent": _l("Sent"),
    "count.failed": _l("Failed"),
    "count.cancelled": _l("Cancelled"),
    # broadcast
    "broadcast.bad_time": _l("Choose the date and time to send."),
    "broadcast.done_approve": _l("Approved."),
    "broadcast.done_cancel": _l("Cancelled: what was not sent stays unsent."),
    "broadcast.scheduled": _l("scheduled"),
    "broadcast.awaiting_approval": _l("waiting for approval"),
    "broadcast.awaiting_confirmation": _l("waiting for her code"),
    "broadcast.sending": _l("sending"),
    "broadcast.sent": _l("sent"),
    "broadcast.cancelled": _l("cancelled"),
    # stage
    "stage.pregnant": _l("pregnant"),
    "stage.postnatal": _l("new mothers"),
    "stage.other": _l("other"),
    # status
    "status.scheduled": _l("scheduled"),
    "status.queued": _l("queued"),
    "status.sending": _l("sending"),
    "status.sent": _l("sent"),
    "status.delivered": _l("delivered"),
    "status.failed": _l("failed"),
    "status.unknown": _l("unknown"),
    "status.expired": _l("expired"),
    "status.suppressed": _l("held back"),
    "status.cancelled": _l("cancelled"),
    # answer
    "answer.sent": _l("Sent: %(parts)s SMS."),
    "answer.already": _l("That answer was sent before; nothing more was sent."),
    "answer.about": _l("Your answer closes: %(kind)s."),
    # said
    "said.sms": _l("Her SMS"),
    "said.free_text": _l("Her message"),
    "said.change_date": _l("She asks for another visit date"),
    "said.danger": _l("Danger sign"),
    "said.stop": _l("Asked to stop messages"),
    "said.start": _l("Asked for messages again"),
    "said.help": _l("Asked for help"),
    "said.visit": _l("Asked for her next visit"),
    "said.clinic": _l("Asked for her clinic"),
    "said.language": _l("Chose her language"),
    "said.yes": _l("Said yes"),
    "said.yes_transfer": _l("Confirmed her new clinic"),
    "said.yes_visit": _l("Confirmed her visit"),
    "said.choice": _l("Chose her new clinic"),
    "said.choice_again": _l("A choice we could not read"),
    "said.check_in_arrived": _l("Said she has arrived"),
    "said.check_in_help": _l("Said she needs help"),
    "said.which": _l("Asked; we asked which client"),
    "said.empty": _l("An empty SMS"),
    "said.unregistered": _l("From a number we do not know"),
    # sent
    "sent.answer": _l("Answer"),
    "sent.reply": _l("Automatic reply"),
    "sent.reminder": _l("Visit reminder"),
    "sent.missed_visit": _l("After a missed visit"),
    "sent.transfer_notice": _l("Transfer notice"),
    "sent.transfer_follow_up": _l("Transfer follow-up"),
    "sent.broadcast": _l("Broadcast"),
    "sent.opt_out_confirmation": _l("Stop confirmed"),
    "sent.number_changed": _l("To her new number"),
    # msg
    "msg.scheduled": _l("waiting"),
    "msg.queued": _l("about to go"),
    "msg.sending": _l("sending"),
    "msg.sent": _l("sent"),
    "msg.delivered": _l("delivered"),
    "msg.failed": _l("did not arrive"),
    "msg.unknown": _l("not known yet"),
    "msg.expired": _l("too late, not sent"),
    "msg.cancelled": _l("cancelled"),
    "msg.suppressed": _l("held back"),
    # ussd
    "ussd.call_back": _l("USSD: asked to be called back"),
    "ussd.change_date": _l("USSD: asked to change a visit date"),
    "ussd.start": _l("USSD: asked for messages again"),
    "ussd.stop": _l("USSD: stopped messages"),
    "ussd.knows_clinic": _l("USSD: knows her new clinic"),
    "ussd.arrived": _l("USSD: has arrived"),
    "ussd.chose_clinic": _l("USSD: chose her new clinic"),
    "ussd.clinic": _l("USSD: about her clinic"),
    # who
    "who.cli": _l("the command line"),
    "who.system": _l("the service"),
    "who.gateway": _l("the SMS provider"),
    "who.api": _l("another system"),
    # cause
    "cause.client_sms": _l("her SMS"),
    "cause.ussd": _l("her USSD choice"),
    "cause.clinic": _l("the clinic"),
    "cause.staff": _l("staff"),
    "cause.mentor_mother": _l("her Mentor Mother"),
    "cause.follow_up": _l("the follow-up"),
    "cause.gateway": _l("the SMS provider"),
    "cause.opted_out": _l("she stopped messages"),
    # quick
    "quick.added": _l("Added."),
    "quick.removed": _l("Removed."),
    # tasks
    "tasks.date_set": _l("The visit is moved; she is told by SMS."),
    "tasks.date_set_untold": _l(
        "The visit is moved. She stopped our messages and asked over 7 days ago, so she is not told "
        "by SMS: please call her."
    ),
    # outcome
    "outcome.answered": _l("Answered"),
    "outcome.date_changed": _l("New date set"),
    # import
    "import.facilities": _l("Facilities"),
    "import.mentor-mothers": _l("Mentor Mothers"),
    "import.clients": _l("Clients"),
    "import.appointments": _l("Visits"),
    "import.transfers": _l("Transfers"),
    "import.events": _l("Life events"),
    # sent (more purposes)
    "sent.transfer_check_in": _l("Transfer check-in"),
    "sent.transfer_choice": _l("Choice of new clinic"),
    "sent.visit_moved": _l("New visit date"),
    # visit kinds and states, consent, a task's state (the client's timeline)
    "visit_kind.anc": _l("antenatal"),
    "visit_kind.pnc": _l("postnatal"),
    "visit_kind.immunisation": _l("immunisation"),
    "visit_kind.infant_test": _l("baby's test"),
    "visit_kind.refill": _l("refill"),
    "visit_kind.other": _l("other"),
    "visit_status.scheduled": _l("booked"),
    "visit_status.attended": _l("came"),
    "visit_status.missed": _l("missed"),
    "visit_status.defaulted": _l("missed a week ago"),
    "visit_status.lost": _l("not seen for a month"),
    "visit_status.cancelled": _l("cancelled"),
    "visit_status.rescheduled": _l("moved"),
    "consent.opt_in": _l("messages started"),
    "consent.opt_out": _l("messages stopped"),
    "task_status.open": _l("to do"),
    "task_status.done": _l("done"),
    "task_status.cancelled": _l("cancelled"),
    "life_status.retracted": _l("undone"),
}


def label(key: str, default: str | None = None, **values) -> str:
    """The reader's words for a code (`default`, or the code itself, when it has none); `values`
    fill its %(name)s places, and "%%" is a percent sign, as in the pages' `_()`."""
    text = LABELS.get(key)
    if text is None:
        return key if default is None else default
    return str(text) % values


def task_note(task) -> str:
    """A task's note in the reader's language (`followup.notes`); a person's note as written."""
    return shown(task.note, task.note_args, lambda m: gettext(m) if m else m, lambda d: on_page(d, language()))
