"""The kinds of life event, what each needs, and whether a request fits her: every problem named
by its field (`kind`, `date`, `infant_dob`, `new_phone`, `note`), all of them at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..languages import N_, Said
from ..models import Client, Infant, LifeEvent
from ..phones import PhoneError, normalise_phone

NOTE_LIMIT = 500


@dataclass(frozen=True)
class Kind:
    name: str
    ends_care: bool = False  # she is inactive: nothing more is sent to her
    transfer_outcome: str | None = None  # what her open transfer becomes
    loss: bool = False  # a person should call her: one task for her Mentor Mother
    needs_infant: bool = False  # which infant (infant_dob when she has several)
    needs_phone: bool = False  # new_phone


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("died", ends_care=True, transfer_outcome="died"),
        Kind("infant_died", loss=True, needs_infant=True),
        Kind("pregnancy_loss", loss=True),
        Kind("moved_away", ends_care=True, transfer_outcome="moved_elsewhere"),
        Kind("number_changed", needs_phone=True),
    )
}


@dataclass(frozen=True)
class Problem:
    field: str
    problem: str

    def __str__(self) -> str:
        return f"{self.field}: {self.problem}"


class EventRefused(ValueError):
    """The event does not fit her, or the request is malformed; `problems` names every field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(map(str, problems)))


@dataclass(frozen=True)
class Checked:
    """A request that fits her: what will be recorded."""

    kind: Kind
    day: date
    infant: Infant | None
    new_phone: str | None
    note: str | None
    identity: str  # the same event twice has the same identity


def a_day(raw, today: date, problems: list[Problem]) -> date | None:
    if not isinstance(raw, str) or not raw.strip():
        problems.append(Problem("date", Said(N_("required, as YYYY-MM-DD"))))
        return None
    try:
        if len(raw.strip()) != 10:
            raise ValueError(raw)
        day = date.fromisoformat(raw.strip())
    except ValueError:
        problems.append(Problem("date", Said(N_("'%(raw)s' is not a date as YYYY-MM-DD"), raw=raw[:20])))
        return None
    if day > today:
        problems.append(Problem("date", Said(N_("%(day)s is in the future"), day=day)))
        return None
    return day


def check(client: Client, raw: dict, live: list[LifeEvent], today: date) -> Checked:
    """`raw`: kind, date, infant_dob, new_phone, note (as given: text, or anything JSON can carry).
    `live`: her events not retracted. Raises `EventRefused` naming every problem."""
    problems: list[Problem] = []
    for name in ("kind", "date", "infant_dob", "new_phone", "note"):
        if raw.get(name) is not None and not isinstance(raw.get(name), str):
            problems.append(Problem(name, Said(N_("must be text"))))
    if problems:
        raise EventRefused(problems)
    kind = KINDS.get((raw.get("kind") or "").strip())
    if kind is None:
        problems.append(Problem("kind", Said(N_("one of %(kinds)s"), kinds=", ".join(KINDS))))
    day = a_day(raw.get("date"), today, problems)
    note = (raw.get("note") or "").strip() or None
    if note is not None and len(note) > NOTE_LIMIT:
        problems.append(Problem("note", Said(N_("at most %(limit)s characters"), limit=NOTE_LIMIT)))
    if kind is None:
        raise EventRefused(problems)
    died = next((e for e in live if e.kind == "died"), None)
    if died is not None and kind.name != "died":
        problems.append(Problem("kind", Said(N_("her death is recorded (on %(day)s)"), day=died.occurred_on)))
    infant = _infant(client, raw.get("infant_dob"), day, problems) if kind.needs_infant else None
    new_phone = _new_phone(client, raw.get("new_phone"), problems) if kind.needs_phone else None
    if kind.name == "pregnancy_loss" and client.edd is None and client.stage != "pregnant":
        problems.append(Problem("kind", Said(N_("she has no pregnancy on record"))))
    if problems or day is None:  # a_day named the date's problem
        raise EventRefused(problems)
    identity = {
        "died": "died",
        "moved_away": "moved_away",
        "infant_died": f"infant_died:{infant.id if infant else ''}",
        "pregnancy_loss": f"pregnancy_loss:{day.isoformat()}",
        "number_changed": f"number_changed:{day.isoformat()}:{new_phone}",
    }[kind.name]
    same = next((e for e in live if e.identity == identity), None)
    if same is not None and same.occurred_on != day:
        raise EventRefused(
            [
                Problem(
                    "date",
                    Said(N_("already recorded, on %(day)s: retract it to correct the date"), day=same.occurred_on),
                )
            ]
        )
    return Checked(kind, day, infant, new_phone, note, identity)


def _infant(client: Client, raw_dob, day: date | None, problems: list[Problem]) -> Infant | None:
    infants = list(client.infants)
    if not infants:
        problems.append(Problem("kind", Said(N_("she has no infant on record"))))
        return None
    if raw_dob:
        try:
            dob = date.fromisoformat(raw_dob.strip())
        except ValueError:
            problems.append(Problem("infant_dob", Said(N_("'%(raw)s' is not a date as YYYY-MM-DD"), raw=raw_dob[:20])))
            return None
        found = [i for i in infants if i.dob == dob]
        if not found:
            problems.append(Problem("infant_dob", Said(N_("none of her infants was born on %(day)s"), day=dob)))
            return None
        infant = found[0]
    else:
        living = [i for i in infants if i.alive] or infants
        if len(living) > 1:
            problems.append(
                Problem(
                    "infant_dob",
                    Said(
                        N_("she has %(n)s infants on record: give the date of birth of the one who died"),
                        n=len(living),
                    ),
                )
            )
            return None
        infant = living[0]
    if day is not None and day < infant.dob:
        problems.append(Problem("date", Said(N_("before the infant's birth (%(day)s)"), day=infant.dob)))
    return infant


def _new_phone(client: Client, raw, problems: list[Problem]) -> str | None:
    if not raw or not raw.strip():
        problems.append(Problem("new_phone", Said(N_("required for number_changed"))))
        return None
    try:
        phone = normalise_phone(raw)
    except PhoneError as exc:
        problems.append(Problem("new_phone", exc.why))
        return None
    if phone == client.phone:
        problems.append(Problem("new_phone", Said(N_("is already her number"))))
        return None
    return phone
