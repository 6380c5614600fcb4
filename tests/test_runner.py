"""`sms-service run`: the whole service comes up with demo data, does work, and stops on Ctrl-C."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import requests
from redis import Redis
from rq import Queue

from sms_service.local.embedded_redis import free_port
from tests.support.waiting import wait_for
from workers.jobs import HEARTBEAT_KEY

SMS_SERVICE = str(Path(sys.executable).parent / "sms-service")


def clean_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AT_", "SMS_", "DATABASE_URL", "REDIS_URL", "WEBHOOK", "PORT"))
    }
    return {**env, **extra}


def descendants(pid):
    children = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def get(url):
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.status, answer.read().decode()


def test_run_demo_serves_works_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    log = tmp_path / "run.log"
    with log.open("w") as out:
        runner = subprocess.Popen(
            [SMS_SERVICE, "run", "--demo", "--port", str(port)],
            cwd=tmp_path,
            env=clean_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(lambda: "sms-service is running" in log.read_text() or runner.poll() is not None, 90, "start-up")
        output = log.read_text()
        assert runner.poll() is None, output
        assert f"Service:   http://127.0.0.1:{port}/" in output and "Demo data loaded" in output
        assert f"Webhook:   http://127.0.0.1:{port}/webhooks/sms/delivery (WEBHOOK_TOKEN unset" in output
        assert (tmp_path / "instance" / "sms_service.db").exists()  # SQLite under ./instance/

        status, body = get(f"http://127.0.0.1:{port}/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        dashboard = re.search(
            r"Dashboard: (\S+)\s+demo logins demo-admin, demo-supervisor, demo-grace; "
            r"password (\S+)",
            output,
        )
        assert dashboard and f"Simulator: http://127.0.0.1:{port}/simulator" in output
        browser = requests.Session()
        token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(dashboard.group(1)).text).group(1)
        assert browser.post(
            dashboard.group(1), data={"username": "demo-admin", "password": dashboard.group(2), "csrf_token": token}
        ).url.endswith("/tasks")
        board = browser.get(f"http://127.0.0.1:{port}/transfers").text
        assert re.search(
            r">Mwangaza Community Clinic</td>\s*<td [^>]*>Tumaini Health Centre</td>"
            r"\s*<td class=\"n\" [^>]*><a [^>]+>15<",
            board,
        )
        assert "Phone simulator" in get(f"http://127.0.0.1:{port}/simulator")[1]  # open: messages stay local

        redis_url = re.search(r"Redis:\s+(\S+)", output).group(1)
        redis = Redis.from_url(redis_url)
        Queue("default", connection=redis).enqueue("workers.jobs.heartbeat")
        wait_for(lambda: redis.get(HEARTBEAT_KEY), 30, "the runner's worker to run a job")
        redis.close()

        processes = descendants(runner.pid)
        assert len(processes) >= 5  # redis, web (and its workers), two queue workers, scheduler
        os.killpg(runner.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        assert runner.wait(timeout=30) == 0, log.read_text()
        wait_for(lambda: not any(alive(p) for p in processes), 10, "every child to stop")
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)


def test_run_refuses_bad_configuration_naming_every_problem(tmp_path):
    env = clean_env(SMS_GATEWAY="africastalking", AT_API_KEY="some-secret-value", PORT="abc")
    result = subprocess.run([SMS_SERVICE, "run"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    for name in ("AT_USERNAME", "WEBHOOK_TOKEN", "PORT"):
        assert name in result.stderr
    assert "some-secret-value" not in result.stdout + result.stderr
    assert not (tmp_path / "instance").exists()  # nothing started, nothing made


def test_the_printed_webhooks_are_the_apps(app):
    from sms_service.local.runner import WEBHOOKS

    served = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/webhooks/")}
    assert set(WEBHOOKS) == served
