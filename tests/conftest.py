"""Test session: a private Redis, SQLite and PostgreSQL databases, a fake Africa's Talking.

Fixtures:
- `redis_url`: the session's own Redis server, emptied before each test (never a shared one).
- `database_url`: runs the test on SQLite and on PostgreSQL (params `sqlite`, `postgresql`).
- `sqlite_url`: SQLite only, for tests where the database engine does not matter.
- `app`, `client`, `runner`: the Flask app on `database_url` with `redis_url`, outbox gateway.
- `fake_at`: a local fake Africa's Talking HTTP server (see tests/support/fake_at.py).
"""

from __future__ import annotations

import shutil

import pytest
from redis import Redis

from sms_service import create_app
from sms_service.bootstrap import get_services, wire
from sms_service.local import embedded_redis
from sms_service.migrate import upgrade
from tests.support import databases
from tests.support.fake_at import FakeAfricasTalking

wire()  # who reacts to what, as every process of the service wires itself (tests build services directly too)


@pytest.fixture(autouse=True, scope="session")
def _one_hash_for_the_test_password():
    """A scrypt hash costs 0.13 s here, and most tests make five accounts that share one invented
    password: they share its one salted hash too (made the real way, once). Every other password
    is hashed afresh, and every login still checks the real hash."""
    from werkzeug.security import generate_password_hash

    from sms_service.accounts import users
    from tests.support.people import PASSWORD

    shared = generate_password_hash(PASSWORD)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            users,
            "generate_password_hash",
            lambda password: shared if password == PASSWORD else generate_password_hash(password),
        )
        yield


@pytest.fixture(scope="session")
def redis_server():
    server = embedded_redis.start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    client = Redis(port=redis_server.port)
    client.flushall()  # our own server, started above
    client.close()
    return redis_server.url


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path):
    path = tmp_path / "test.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_session_url():
    try:
        url = databases.create_database()
    except Exception as exc:
        reason = f"PostgreSQL not reachable at {databases.server_url()}: {type(exc).__name__}: {exc}"
        if databases.postgres_required():
            pytest.fail(reason + " (SMS_REQUIRE_POSTGRES is set)")
        pytest.skip(reason)
    upgrade(url)
    yield url
    databases.drop_database(url)


@pytest.fixture
def postgres_url(postgres_session_url):
    yield postgres_session_url
    databases.empty_postgres(postgres_session_url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request):
    return request.getfixturevalue({"sqlite": "sqlite_url", "postgresql": "postgres_url"}[request.param])


@pytest.fixture
def make_app(database_url, redis_url):
    """Apps on this test's database and Redis with more settings (a webhook token…); closed after."""
    made = []

    def make(**settings):
        app = create_app(
            {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SMS_GATEWAY": "outbox", "TESTING": "1", **settings}
        )
        made.append(app)
        return app

    yield make
    for app in made:
        get_services(app).close()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def services(app):
    return get_services(app)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def fake_at():
    server = FakeAfricasTalking()
    server.start()
    yield server
    server.stop()
    server.assert_satisfied()
