"""What an import did: counts, and every refused row with its line number and reason."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..languages import N_, Said

# an import's kind as its report names it (the English is the command's KIND)
KIND_WORDS = {
    "facilities": N_("facilities"),
    "mentor-mothers": N_("mentor-mothers"),
    "clients": N_("clients"),
    "appointments": N_("appointments"),
    "transfers": N_("transfers"),
    "events": N_("events"),
}


@dataclass(frozen=True)
class RowError:
    line: int | None  # None: about the whole file
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line is not None else self.reason


@dataclass
class ImportReport:
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def refused(self) -> int:
        return sum(1 for e in self.errors if e.line is not None)

    @property
    def file_refused(self) -> bool:
        return any(e.line is None for e in self.errors)

    def counts(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "refused": self.refused,
        }

    def summary(self) -> str:
        kind = Said(KIND_WORDS[self.kind]) if self.kind in KIND_WORDS else self.kind
        if self.file_refused:
            return Said(N_("%(kind)s: file refused, nothing imported"), kind=kind)
        return Said(
            N_(
                "%(kind)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged, "
                "%(duplicates)s duplicates, %(refused)s refused"
            ),
            kind=kind,
            **self.counts(),
        )
