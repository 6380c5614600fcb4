"""Broadcasts: a Mentor Mother to her clients, a supervisor to a facility, an admin to everyone.

- `content`: the texts, checked (discreet wording, GSM-7, parts) before anything is sent;
- `audience`: who is reached: the creator's scope narrowed by filters, opted-out excluded;
- `service`: prepare (with a preview), confirm by code, approve, schedule, cancel, progress;
- `fanout`: the scheduler's part: messages made in batches, once per number, in the window.
"""
