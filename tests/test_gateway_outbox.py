"""The local outbox: everything accepted, with message ids that never repeat across workers."""

from sms_service.gateway import Outcome
from sms_service.gateway.outbox import OutboxGateway


def test_outbox_accepts_with_ids_unique_across_processes():
    first, second = OutboxGateway(), OutboxGateway()  # two worker processes, or one restarted
    results = first.send("Habari", ["+254700000001", "+254700000002"]) + second.send("Habari", ["+254700000001"])
    assert all(r.outcome is Outcome.ACCEPTED for r in results)
    assert len({r.provider_message_id for r in results}) == 3
