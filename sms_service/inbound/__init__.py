"""Incoming SMS: stored before Africa's Talking gets its 200, then read and answered once.

- `receive`: one durable INSERT in the webhook (a replayed provider id stores nothing), and what
  waits to be handled;
- `route`: in a realtime job, each stored SMS claimed once, read as a keyword (`keywords`) and
  handed to the client's (`clients`), the Mentor Mother's (`mentors`) or a stranger's
  (`strangers`) handling;
- `conversation`: what a handler works with, and its replies (outbound messages made once per
  message answered).
"""
