"""Reading an SMS that asks for another visit date ("can I change my date", "naomba
kubadilisha tarehe", "nitasafiri, naomba siku nyingine"): as USSD 3, it makes a change-date
task the person can answer with a new date. Pure functions: no database, no I/O.

A request is a word of changing (change, move, reschedule, postpone, badilisha, sogeza…)
with a word of the visit (date, day, visit, appointment, tarehe, siku, miadi…) in the same
message, or a word of the visit said as another ("another day", "siku nyingine")."""

from __future__ import annotations

from .keywords import normalise, one_slip

CHANGE = frozenset(
    {
        "change", "move", "shift", "reschedule", "postpone", "rebook", "badilisha", "kubadilisha", "nibadilishe",
        "mbadilishe", "ubadilishe", "badili", "hamisha", "kuhamisha", "sogeza", "kusogeza", "nisogezee",
        "ahirisha", "kuahirisha", "nihamishie", "nibadilishie",
    }
)  # fmt: skip
VISIT = frozenset({"date", "day", "visit", "appointment", "tarehe", "siku", "miadi", "appt"})
ANOTHER = frozenset({"another", "other", "different", "new", "nyingine", "ingine", "mpya"})


def asks_new_date(text: str) -> bool:
    words = normalise(text)
    changing = any(_is(w, CHANGE) for w in words)
    visit = [i for i, w in enumerate(words) if _is(w, VISIT)]
    if changing and visit:
        return True
    # "another day", "siku nyingine": the word of the visit next to a word of another
    return any((i > 0 and words[i - 1] in ANOTHER) or (i + 1 < len(words) and words[i + 1] in ANOTHER) for i in visit)


def _is(word: str, among: frozenset[str]) -> bool:
    return word in among or (len(word) >= 6 and any(len(t) >= 6 and one_slip(word, t) for t in among))
