"""Care transfers: a client's move to another clinic, followed until she has arrived.

- `states`: the states, and `move`, the one way a transfer changes (audited as events);
- `begin`: starting new transfers (first event, visits moved, the notice, tasks when no phone);
- `closure`: closing a site, which transfers all its active clients;
- `notices`: what the client is sent, and what a notice's outcome does;
- `ladder`: the follow-up schedule, day 3 / 7 / 14 / 30;
- `outcomes`: arrivals and other outcomes recorded by people (API, CSV);
- `report`, `referrals`: progress counts and the receiving clinics' lists.
"""
