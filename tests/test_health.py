"""Health and metrics report the database and Redis as they are."""
from sms_service import create_app
from sms_service.services import get_services


def test_healthy_when_both_reachable(client):
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.json == {"status": "ok", "database": "ok", "redis": "ok"}


def test_unavailable_when_redis_is_down(sqlite_url):
    app = create_app({"DATABASE_URL": sqlite_url, "REDIS_URL": "redis://127.0.0.1:1/0"})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.json["redis"] == "unreachable" and answer.json["database"] == "ok"
    get_services(app).close()


def test_unavailable_when_database_is_unreachable(redis_url, tmp_path):
    url = f"sqlite:///{tmp_path}/missing/dir/db.sqlite"
    app = create_app({"DATABASE_URL": url, "REDIS_URL": redis_url})
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503 and answer.json["database"] == "unreachable"


def test_metrics_in_prometheus_text(client, services):
    services.queues["bulk"].enqueue("workers.jobs.heartbeat")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'sms_service_up{dependency="database"} 1.0' in body
    assert 'sms_queue_depth{queue="bulk"} 1.0' in body
    assert "# TYPE sms_outbound_messages gauge" in body
