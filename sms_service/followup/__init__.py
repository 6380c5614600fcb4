"""People's follow-up work: the tasks a Mentor Mother (or an admin) does about a client.

- `store`: the one place tasks are made, closed, reopened, and moved with their client (every
  part that asks a person to act makes its task here);
- a person's list, and a task done with its outcome, are read and done through `records.work`,
  narrowed to what the caller may see (a transfer outcome is recorded on the transfer too).
"""
