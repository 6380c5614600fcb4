"""An in-memory gateway for business tests: records every call, answers as scripted."""

from __future__ import annotations

import itertools
import threading

from sms_service.gateway import Outcome, SendResult


class FakeGateway:
    name = "fake"

    def __init__(self):
        self.calls: list[tuple[str, list[str]]] = []
        self.outcomes: dict[str, tuple[Outcome, str | None]] = {}  # phone → scripted answer
        self.before_answer = None  # callable run after "sending", before answering
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, text, phones):
        with self._lock:
            self.calls.append((text, list(phones)))
        if self.before_answer:
            self.before_answer()
        results = []
        for phone in phones:
            outcome, reason = self.outcomes.get(phone, (Outcome.ACCEPTED, None))
            pid = f"FAKE-{next(self._ids)}" if outcome is Outcome.ACCEPTED else None
            results.append(SendResult(phone, outcome, reason, pid))
        return results

    def sent_to(self) -> list[str]:
        return [phone for _, phones in self.calls for phone in phones]
