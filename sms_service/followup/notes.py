"""What the service writes on a task for the person who does it, in the reader's language.

A note is a gettext message (English, with %(name)s places) and its values, kept on the task
(`note` in English for the API and the audit, `note_args` = the message's name and its values):
a page reads it again in the reader's language (`web.labels.task_note`). Values that are codes
(why an SMS did not reach her, a danger sign, a USSD reason) stay codes until then.
A note a person writes is kept as she wrote it."""

from __future__ import annotations

from datetime import date

from ..languages import N_

NOTES = {
    "visit_defaulted": N_("She has not come back since missing her visit: please call or visit her."),
    "visit_lost": N_("Visit lost to follow-up: please record what became of her."),
    "missed_visit": N_("She missed her visit on %(date)s: please call her to choose a new date."),
    "loss_support": N_("A loss was recorded for her (on %(date)s). Please call her or visit her, as she wishes."),
    "danger_sign": N_("Her SMS speaks of danger (%(signs)s): call her now, and see that she gets care."),
    "change_date_sms": N_("SMS: she asks for another visit date"),
    "change_date_ussd": N_("USSD: she asks for another visit date (%(reason)s)"),
    "transfer_no_phone": N_(
        "No SMS can reach her (%(why)s): please tell her about her new clinic, %(clinic)s, from %(date)s."
    ),
    "transfer_notice_failed": N_(
        "The transfer notice did not reach her (%(why)s). Please tell her in person or by phone."
    ),
    "transfer_unconfirmed": N_("She has not confirmed her new clinic: please call or visit her."),
    "tracing": N_("She has not arrived at her new clinic: please trace her and record what you learn."),
    "transfer_outcome": N_("Record what became of her: arrived, moved elsewhere, not found, died or refused."),
    "transfer_choice_default": N_(
        "She did not choose her new clinic within %(days)s days: %(clinic)s stands. Please check that it suits her."
    ),
    "check_in": N_("She has not answered the check-in asking whether she has reached %(clinic)s: please call her."),
    "check_in_unasked": N_(
        "She could not be asked by SMS whether she has reached %(clinic)s (%(why)s): please check with her."
    ),
    "check_in_help": N_("She answered the check-in that she needs help reaching %(clinic)s: %(detail)s."),
    "check_in_unreached": N_(
        "She has not answered the check-in asking whether she has reached %(clinic)s (the SMS did not reach her): "
        "please call her."
    ),
}

# the codes a note's values may hold, in words (a code not here is shown as it is)
WHY = {
    "invalid_phone_number": N_("the number is not valid"),
    "no_such_number": N_("the number does not exist"),
    "inactive_number": N_("the number is no longer in use"),
    "absent_subscriber": N_("her phone was off"),
    "opted_out": N_("she has stopped our messages"),
    "network_block": N_("her network blocks our messages"),
    "facility_closed": N_("the new clinic has closed"),
    "died": N_("she has died"),
    "moved_away": N_("she has moved away"),
    "inactive": N_("she is no longer in care"),
    "unreached": N_("no SMS reaches her"),
}
REASON = {
    "travel": N_("travelling"),
    "work": N_("work"),
    "unwell": N_("unwell"),
    "other": N_("another reason"),
}
SIGN = {  # inbound/danger_signs.json's; a programme's own signs show by their names
    "heavy_bleeding": N_("heavy bleeding"),
    "convulsions": N_("convulsions"),
    "severe_headache": N_("severe headache"),
    "high_fever": N_("high fever"),
    "severe_abdominal_pain": N_("severe abdominal pain"),
    "baby_not_moving": N_("baby not moving"),
    "baby_not_feeding": N_("baby not feeding"),
    "baby_breathing": N_("baby's breathing"),
    "yellow_palms_soles": N_("yellow palms or soles"),
}
WORDS = {"why": WHY, "reason": REASON, "signs": SIGN}


def note(name: str, **values) -> dict:
    """The task's `note` (English) and `note_args`, for `open_tasks`: `values` are dates, numbers,
    names, or codes of `WORDS` (a list of them for `signs`)."""
    kept = {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
    return {"note": said(NOTES[name], kept, lambda m: m, lambda d: d), "note_args": {"note": name, **kept}}


def said(message: str, values: dict, gettext, say_date) -> str:
    """`message` with `values`, through a language's `gettext` and date words."""

    def word(key, value):
        table = WORDS.get(key)
        if table is None:
            return say_date(date.fromisoformat(value)) if key == "date" else value
        codes = value if isinstance(value, list) else [value]
        return ", ".join(gettext(table[c]) if c in table else str(c).replace("_", " ") for c in codes)

    return gettext(message) % {k: word(k, v) for k, v in values.items() if k not in ("note", "added")}


def shown(task_note: str | None, args: dict | None, gettext, say_date) -> str:
    """A task's note as a reader reads it: the service's in her language, a person's as written."""
    if not args or args.get("note") not in NOTES:
        return task_note or ""
    text = said(NOTES[args["note"]], args, gettext, say_date)
    return f"{text}\n{args['added']}" if args.get("added") else text
