"""Visit reminders, missed visits and care schedules.

- `plan`: when each reminder of a visit goes out (pure: a visit, the clock, the configuration);
- `planner`: makes those reminders as outbound messages, once per visit revision, and
  supersedes or cancels them when the visit changes;
- `visits`: what happens to a visit: attended, cancelled, rescheduled, moved; and, when nobody
  recorded it, missed, defaulted, lost to follow-up;
- `generate`: visits made from a pregnancy or a birth when the clinic gave no dates;
- `wording`: what a reminder says.
"""
