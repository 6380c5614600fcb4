"""Fault drills: the service under a fault (a killed worker, a lost Redis, a failing gateway, a
stalled database, replayed callbacks, the clock across the quiet hours), each ending with the
promises checked (`invariants`). Each runs alone (`python -m drills.NAME --help`) and, shortened,
in the test suite (tests/test_drills.py). RELIABILITY.md records what each does and its result."""
