"""Run a command with every purpose's send window open (`python bench/anytime.py worker`,
`python bench/anytime.py scheduler` or `python bench/anytime.py sms-service close-site …`): a
benchmark or a drill run at night measures the work, not the wait for 07:00."""

import sys

from sms_service.outbound import messages as messaging

for name, purpose in list(messaging.PURPOSES.items()):
    messaging.PURPOSES[name] = messaging.Purpose(purpose.queue, None, purpose.must_arrive, purpose.essential)

if __name__ == "__main__":
    if sys.argv[1] == "worker":
        from workers.worker import main

        main(sys.argv[2:])
    elif sys.argv[1] == "scheduler":
        from workers.scheduler import main

        main()
    else:
        from sms_service.cli import main

        main(sys.argv[2:], prog_name="sms-service")
