"""What every drill stands on: a database (SQLite file or a private PostgreSQL database), a
private Redis, a scriptable fake Africa's Talking, worker and scheduler processes whose output
is kept (the log invariant reads it), and a programme of invented clients."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import database, phone  # noqa: E402
from sms_service.bootstrap import Services, services_for  # noqa: E402
from sms_service.config import load_config  # noqa: E402
from sms_service.db import bulk_insert, utcnow  # noqa: E402
from sms_service.local import embedded_redis  # noqa: E402
from sms_service.migrate import upgrade  # noqa: E402
from sms_service.models import Client, Facility, MentorMother  # noqa: E402
from sms_service.outbound import messages as messaging  # noqa: E402
from tests.support.fake_at import FakeAfricasTalking  # noqa: E402

TEXT = "Kliniki itafunguliwa Jumatatu saa mbili asubuhi. Karibu na kadi ya mtoto."


WINDOWS = {name: purpose.window for name, purpose in messaging.PURPOSES.items()}  # as configured


@contextmanager
def windows(window_of=lambda name: None):
    """Each purpose's send window set to `window_of(name)` in this process while a drill runs:
    open (the default), for drills that run at any hour (their workers and scheduler run under
    bench/anytime.py: a drill at night measures the fault, not the wait for 07:00); or as
    configured (`WINDOWS.get`), for the clock drill, which judges the quiet hours."""
    saved = dict(messaging.PURPOSES)
    for name, purpose in saved.items():
        messaging.PURPOSES[name] = messaging.Purpose(
            purpose.queue, window_of(name), purpose.must_arrive, purpose.essential
        )
    try:
        yield
    finally:
        messaging.PURPOSES.update(saved)


class Gateway:
    """The fake Africa's Talking's answers, switched by the drill: `accept`, `fail_half` (503 to
    every second call), `timeout` (take the request, answer after the client gave up), `unauthorised`
    (401), `no_balance` (405 for every recipient). Every accepted recipient is recorded with its
    messageId and the time: the drill's evidence of what really went out."""

    def __init__(self, fake: FakeAfricasTalking, delay: float = 0.0):
        import threading

        self.fake, self.mode, self.delay, self.calls = fake, "accept", delay, 0
        self.timeouts = 3  # calls answered late in `timeout` mode; the rest are answered at once
        self.clock = time.time  # the clock drill sets its own
        self.accepted: list[tuple[str, str, str, float]] = []  # (phone, text, messageId, at)
        self._lock = threading.Lock()
        fake.expect("POST", "/version1/messaging", self.answer, times=None)

    def answer(self, request):
        import json

        with self._lock:
            self.calls += 1
            mode, call = self.mode, self.calls
        if self.delay:
            time.sleep(self.delay)
        if mode == "fail_half" and call % 2:
            return 503, "text/plain", "Service Unavailable"
        if mode == "unauthorised":
            return 401, "text/plain", "The supplied authentication is invalid"
        codes = [405] if mode == "no_balance" else [101]
        body = self.fake.send_response(request, codes)
        with self._lock:
            for r in body["SMSMessageData"]["Recipients"]:
                if r["statusCode"] == 101:
                    self.accepted.append((r["number"], request.form.get("message", ""), r["messageId"], self.clock()))
        if mode == "timeout":
            with self._lock:
                late, self.timeouts = self.timeouts > 0, self.timeouts - 1
            if late:
                time.sleep(TIMEOUT_AFTER)  # AT took it; the answer comes after the adapter stopped waiting
        return 201, "application/json", json.dumps(body)


TIMEOUT_AFTER = 12.0  # longer than the adapter's read timeout (10 s)


@dataclass
class Stage:
    name: str
    url: str
    folder: Path
    redis: embedded_redis.EmbeddedRedis
    fake: FakeAfricasTalking
    services: Services
    env: dict
    gateway: Gateway
    children: list = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, role: str, *args: str) -> subprocess.Popen:
        """A worker (`role` "worker", queues as `args`) or the scheduler, windows open, its
        output kept for the log check."""
        log = self.folder / f"{role}-{len(self.logs)}.log"
        self.logs.append(log)
        with log.open("w") as out:
            child = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "anytime.py"), role, *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.children.append(child)
        return child

    def kill(self, child: subprocess.Popen, signum=signal.SIGKILL) -> None:
        child.send_signal(signum)
        child.wait(timeout=30)

    def stop_all(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def restart_redis(self, wipe_only: bool = False) -> None:
        """Wipe Redis (FLUSHALL) or stop it and start it again on its port (it keeps nothing on
        disk, as the machine's own: a restart loses every job)."""
        from redis import Redis

        if wipe_only:
            Redis.from_url(self.redis.url).flushall()  # our own server
            return
        port = self.redis.port
        self.redis.stop()
        self.redis = embedded_redis.start(port=port)


@contextmanager
def stage(name: str, folder: Path, **settings: str):
    """A fresh stage on database `name` (sqlite | postgresql); everything thrown away after."""
    folder.mkdir(parents=True, exist_ok=True)
    url, cleanup = database(name, folder)
    redis = embedded_redis.start()
    fake = FakeAfricasTalking()
    fake.start()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis.url,
        "SMS_GATEWAY": "africastalking",
        "AT_USERNAME": "sandbox",
        "AT_API_KEY": "drill-key",
        "WEBHOOK_TOKEN": "drill",
        "AT_API_URL": fake.url,
        "SECRET_KEY": "drill-" + "k" * 32,
        "SCHEDULER_INTERVAL": "0.5",
        "SMS_RATE_PER_SECOND": "50",
        **settings,
    }
    services = None
    own_log = _capture_log(folder / "drill.log")  # this process's lines are checked too
    try:
        upgrade(url)
        services = services_for(load_config(env))
        current = Stage(name, url, folder, redis, fake, services, env, Gateway(fake))
        current.logs.append(folder / "drill.log")
        yield current
    finally:
        import logging

        logging.getLogger().removeHandler(own_log)
        own_log.close()
        if services is not None:
            current.stop_all()
            current.redis.stop()
            services.close()
        else:
            redis.stop()
        fake.stop()
        cleanup()


def _capture_log(path: Path):
    """Every log line of this process, as the service formats and masks it, into `path`."""
    import logging

    from sms_service.logs import MaskPhones

    handler = logging.FileHandler(path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskPhones())
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)
    return handler


def programme(services: Services, clients: int, opted_out_every: int = 50) -> None:
    """One clinic, one Mentor Mother, `clients` invented clients; one in `opted_out_every` has
    stopped our messages."""
    now = utcnow()
    with services.db.session() as s:
        s.add(Facility(code="F1", name="Mwangaza", landmark="the market", hours="8-5", phone="+254700000800"))
        s.flush()
        s.add(MentorMother(code="MM1", name="Zawadi", phone=phone(99_000_001), facility_id=1))
        s.flush()
        bulk_insert(
            s,
            Client.__table__,
            [
                {
                    "external_id": f"C{i}",
                    "first_name": "Amina",
                    "phone": phone(i),
                    "facility_id": 1,
                    "mentor_mother_id": 1,
                    "language": "sw",
                    "stage": "pregnant",
                    "status": "active",
                    "opted_out_at": now - timedelta(days=1) if i % opted_out_every == 0 else None,
                    "created_at": now,
                    "updated_at": now,
                }
                for i in range(1, clients + 1)
            ],
        )


def broadcast(services: Services, text: str = TEXT) -> int:
    """An admin's broadcast to everyone, to go now; its id."""
    from sms_service.access import Caller
    from sms_service.broadcasts import service

    with services.db.session() as s:
        made, _ = service.create(
            s,
            Caller("admin:drill", "admin", "api"),
            text_en=None,
            text_sw=text,
            filters=None,
            send_at=None,
            now=utcnow(),
            config=services.config,
        )
        return made.id


def counts(services: Services) -> dict[str, int]:
    from sqlalchemy import func, select

    from sms_service.models import OutboundMessage

    with services.db.session() as s:
        return dict(s.execute(select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)).all())


def sweep_later(services: Services, status: str, minutes: float = 6) -> dict:
    """The sweeper as it will run once the messages now `status` have waited `minutes` (their
    clock moved back, not the sweeper's): jobs lost with a worker or with Redis are
    handed over again (`queued`), calls a dead worker was in are found (`sending`)."""
    from sqlalchemy import update

    from sms_service.models import OutboundMessage
    from workers.scheduler import sweep

    with services.db.session() as s:
        s.execute(
            update(OutboundMessage)
            .where(OutboundMessage.status == status)
            .values(updated_at=utcnow() - timedelta(minutes=minutes))
        )
    return sweep(services)


def quiet(services: Services) -> bool:
    """Nothing left in flight: every incoming SMS handled (its reply made) and no message due,
    queued or being sent."""
    from sqlalchemy import func, select

    from sms_service.models import InboundMessage

    with services.db.session() as s:
        unhandled = s.scalar(
            select(func.count()).select_from(InboundMessage).where(InboundMessage.handled_at.is_(None))
        )
    return not unhandled and not any(counts(services).get(k) for k in ("scheduled", "queued", "sending"))
