"""Data loading: the five CSV kinds, from a file (CLI) or from records (REST API).

`import_rows` validates every row, reports each bad one with its line and reason, and loads
every good one; importing the same rows twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm import Session

from .. import audit
from ..config import local_today
from ..csvio import Unreadable, clean, read_csv
from ..followup.store import follow_their_mentor_mothers
from ..languages import N_, Said
from .kinds import KINDS, Kind
from .load import add_infants, upsert
from .parse import RowInvalid
from .references import References
from .report import ImportReport, RowError

__all__ = ["KINDS", "ImportReport", "RowError", "import_csv", "import_rows"]


def import_rows(
    session: Session,
    kind: str,
    rows: Iterable[tuple[int, dict]],
    *,
    actor: str = "cli",
    origin: str | None = None,
    columns: Iterable[str] | None = None,
    source: str | None = None,
    today: date | None = None,
) -> ImportReport:
    """Load `rows` — (line number, {column: text}) — of one kind in the caller's transaction.

    `columns`: the columns the source has (a CSV header); by default those of the first row.
    Re-imports only change attributes whose column is present. `today` (the local day, by
    default in the default time zone): a visit dated before it is history when it is new.
    """
    spec = KINDS[kind]
    report = ImportReport(kind)
    rows = iter(rows)
    first = next(rows, None)
    if columns is None:
        columns = first[1].keys() if first is not None else spec.required
    present = {c.strip().lower() for c in columns if c}
    missing = [c for c in spec.required if c not in present]
    if missing:
        report.errors.append(
            RowError(None, Said(N_("missing required column(s): %(columns)s"), columns=", ".join(missing)))
        )
        return report
    unknown = sorted(present - set(spec.columns))
    if unknown:
        report.warnings.append(Said(N_("ignored unknown column(s): %(columns)s"), columns=", ".join(unknown)))
    if first is not None:
        records = _read(spec, _chain(first, rows), References(session), report)
        upsert(session, spec, [record for _, record in records], present, report, today=today or local_today())
        if kind == "clients":
            add_infants(session, [(r["external_id"], dob) for dob, r in records if dob is not None])
            from ..life_events.guard import respect_life_events  # the loader is below the events it respects

            report.warnings += respect_life_events(session)
            follow_their_mentor_mothers(session)  # a client given another Mentor Mother: her open tasks too
    audit.record(
        session, actor, f"import.{kind}", subject_type="import", subject_id=source, origin=origin, **report.counts()
    )
    return report


def _chain(first, rest):
    yield first
    yield from rest


def _read(spec: Kind, rows, refs: References, report: ImportReport) -> list[tuple[object, dict]]:
    """Parse and resolve every row; refuse bad ones and in-file conflicts. Returns (infant_dob, record)."""
    seen: dict[tuple, tuple[int, dict]] = {}
    phones: dict[str, int] = {}
    good = []
    for line, raw in rows:
        row = clean(raw)
        if not any(row.values()):
            continue  # a blank line
        try:
            record = spec.parse(row)
            key = tuple(record[f] for f in spec.file_key)
            if key in seen:
                first_line, first = seen[key]
                if first == record:
                    report.duplicates += 1
                    continue
                raise RowInvalid(
                    spec.required[0],
                    Said(
                        N_("%(key)s already given on line %(line)s with different values"),
                        key=" / ".join(map(str, key)),
                        line=first_line,
                    ),
                )
            seen[key] = (line, dict(record))
            if spec.name == "mentor-mothers":
                if record["phone"] in phones:
                    raise RowInvalid(
                        "phone",
                        Said(N_("same phone as the Mentor Mother on line %(line)s"), line=phones[record["phone"]]),
                    )
                phones[record["phone"]] = line
            infant_dob = record.pop("infant_dob", None)
            good.append((infant_dob, spec.resolve(record, refs)))
        except RowInvalid as exc:
            report.errors.append(RowError(line, exc.said))
    return good


def import_csv(
    session: Session,
    kind: str,
    file,
    *,
    actor: str = "cli",
    origin: str | None = None,
    progress: bool = False,
    today: date | None = None,
) -> ImportReport:
    """Load a CSV file (a path, or an open binary/text file): UTF-8, a BOM allowed, header row."""
    try:
        csvfile = read_csv(file)
    except Unreadable as exc:
        return _refused(kind, str(exc))
    rows = csvfile.raw_rows()  # import_rows cleans each row as it reads it
    if progress:
        from tqdm import tqdm

        total = max(csvfile.text.count("\n") - 1, 0)
        rows = tqdm(rows, total=total, unit=" rows", desc=kind, disable=None if total > 2000 else True)
    return import_rows(
        session, kind, rows, actor=actor, origin=origin, columns=csvfile.columns, source=csvfile.name, today=today
    )


def _refused(kind: str, reason: str) -> ImportReport:
    report = ImportReport(kind)
    report.errors.append(RowError(None, reason))
    return report
