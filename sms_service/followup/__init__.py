"""People's follow-up work: the tasks a Mentor Mother (or an admin) does about a client.

- `store`: the one place tasks are made, closed, reopened, and moved with their client;
- `work`: a person's list, and a task done with its outcome.
"""
