"""Care transfers: a client's move to another clinic, followed until she has arrived.

- `states`: the states, and `move`, the one way a transfer changes (audited as events);
- `begin`: starting new transfers (first event, visits moved, the notice, tasks when no phone);
- `closure`: closing a site, which transfers all its active clients and sends on those coming to it;
- `reroute`: a chained closure, the clients on their way to a closing clinic sent on;
- `choice`: a choice of up to three clinics, her pick, the first standing when she does not;
- `notices`: what the client is sent, and what a notice's outcome does;
- `ladder`: the follow-up schedule, day 3 / 7 / 14 / 30;
- `check_in`: the one SMS two days after the effective date, and what her answer does;
- `watch`: what the scheduler does for transfers each tick (the ladder, choices, check-ins);
- `outcomes`: arrivals and other outcomes recorded by people (API, CSV);
- `report`, `board`, `referrals`: progress counts, the board managers read, the receiving
  clinics' lists.
"""
