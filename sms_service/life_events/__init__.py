"""Life events (SPEC "Life events"): what has really happened to a client, recorded once, and
what it changes at once, in the same transaction, so that no message, list or screen goes on as
if it had not happened.

- `kinds`: the five kinds, what each needs of the request and of her, and its identity (the
  same event twice is one event);
- `effects`: what each kind does at once, and how a retraction undoes it;
- `service`: recording and retracting, whatever the channel (API, CSV, dashboard, a Mentor
  Mother's task, a transfer outcome), audited;
- `csvfile`: `sms-service import events FILE`.

What may be sent to her afterwards is not decided here but by `sms_service.outbound.eligibility`, which
reads the state an event leaves (she is inactive; the infant has died; the pregnancy was lost).
"""

from .kinds import KINDS, EventRefused, Problem
from .service import Asked, as_json, check_only, events_of, record, retract

__all__ = ["KINDS", "Asked", "EventRefused", "Problem", "as_json", "check_only", "events_of", "record", "retract"]
