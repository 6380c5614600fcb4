"""Health and metrics report the database and Redis as they are."""

from sms_service import create_app
from sms_service.bootstrap import get_services


def test_healthy_when_both_reachable(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok"}  # nothing more: which part is down is for the logs and /metrics


def test_unavailable_when_redis_is_down(sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url, "REDIS_URL": "redis://127.0.0.1:1/0"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json == {"status": "unavailable"}
    body = app.test_client().get("/metrics").get_data(as_text=True)
    assert 'sms_service_up{dependency="redis"} 0.0' in body and 'sms_service_up{dependency="database"} 1.0' in body
    get_services(app).close()


def test_unavailable_when_database_is_unreachable(redis_url, tmp_path):
    url = f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json == {"status": "unavailable"}


def test_metrics_in_prometheus_text(client, services):
    services.queues["bulk"].enqueue("workers.jobs.heartbeat")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'sms_service_up{dependency="database"} 1.0' in body
    assert 'sms_queue_depth{queue="bulk"} 1.0' in body
    assert "# TYPE sms_outbound_messages gauge" in body


def test_sending_metrics(client, services):
    from datetime import timedelta

    from sms_service.db import utcnow
    from sms_service.outbound.messages import create_message, transition
    from sms_service.outbound.sending import PAUSE_KEY

    now = utcnow()
    with services.db.session() as s:
        a, _ = create_message(
            s, phone="+254700000001", purpose="reply", subject="a", body="x", expires_at=now + timedelta(hours=1)
        )
        b, _ = create_message(
            s, phone="+254700000002", purpose="reply", subject="b", body="x", expires_at=now + timedelta(hours=1)
        )
        transition(s, [a.id, b.id], "queued", "due")
        transition(s, [a.id], "sending", "claimed")
        transition(s, [a.id], "failed", "invalid_phone_number", failure_reason="invalid_phone_number")
    services.redis.set(PAUSE_KEY, now.isoformat())
    body = client.get("/metrics").get_data(as_text=True)
    assert 'sms_outbound_failed{reason="invalid_phone_number"} 1.0' in body
    assert 'sms_queue_age_seconds{queue="realtime"}' in body
    assert "sms_sending_paused 1.0" in body


def test_receiving_metrics_show_what_waits(client, services):
    from sms_service.inbound.route import handle_inbound_sms
    from sms_service.webhooks import store_incoming_sms as receive_sms

    first = receive_sms(services.db, {"id": "ATXm1", "from": "+254700000001", "text": "hello"})
    receive_sms(services.db, {"id": "ATXm2", "from": "+254700000001", "text": "hello again"})
    body = client.get("/metrics").get_data(as_text=True)
    assert 'sms_inbound_waiting{kind="incoming_sms"} 2.0' in body
    handle_inbound_sms(services, first.inbound_id)
    body = client.get("/metrics").get_data(as_text=True)
    assert 'sms_inbound_waiting{kind="incoming_sms"} 1.0' in body and "sms_inbound_oldest_waiting_seconds" in body
