"""The record: migrations build exactly the models, on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from sms_service.audit import record
from sms_service.db import Database
from sms_service.models import (
    AuditEntry,
    AuditLogIsAppendOnly,
    Base,
    Client,
    Facility,
    InboundMessage,
    MessageStatusEvent,
    OutboundMessage,
)


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def test_migrations_match_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_indexes_for_the_hot_queries(db):
    inspector = inspect(db.engine)

    def indexed(table):
        return {tuple(ix["column_names"]) for ix in inspector.get_indexes(table)}

    assert ("status", "not_before") in indexed("outbound_messages")  # scheduler: what is due
    assert ("phone",) in indexed("clients")  # USSD and SMS: who is this number
    assert ("mentor_mother_id", "status", "due_on") in indexed("follow_up_tasks")
    assert ("id",) in indexed("inbound_messages")  # partial: what waits to be handled
    assert ("id",) in indexed("delivery_reports")  # partial: reports not yet applied
    assert ("provider_message_id",) in indexed("delivery_reports")


def make_client(session):
    facility = Facility(code="F001", name="Mwangaza Health Centre")
    client = Client(external_id="C001", first_name="Amina", phone="+254700000001", facility=facility)
    session.add(client)
    session.flush()
    return client


def test_times_come_back_aware_utc(db):
    nairobi = timezone(timedelta(hours=3))
    with db.session() as session:
        client = make_client(session)
        client.opted_out_at = datetime(2026, 3, 1, 9, 0, tzinfo=nairobi)
    with db.session() as session:
        stored = session.scalars(select(Client)).one().opted_out_at
    assert stored == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert stored.tzinfo is not None


def test_naive_times_are_refused(db):
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        make_client(session).opted_out_at = datetime(2026, 3, 1, 9, 0)


def outbound(client, key):
    return OutboundMessage(
        idempotency_key=key,
        client_id=client.id,
        phone=client.phone,
        purpose="reminder",
        subject="appointment:1",
        body="x",
        expires_at=datetime(2026, 3, 2, tzinfo=UTC),
    )


def test_one_message_per_idempotency_key(db):
    with db.session() as session:
        client = make_client(session)
        session.add(outbound(client, "client:1|reminder|appointment:1|v1"))
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(outbound(client, "client:1|reminder|appointment:1|v1"))


def test_status_history_kept_in_order(db):
    with db.session() as session:
        message = outbound(make_client(session), "k")
        session.add(message)
        session.flush()
        for status in ("queued", "sending", "sent"):
            session.add(MessageStatusEvent(message_id=message.id, status=status, reason="test"))
    with db.session() as session:
        message = session.scalars(select(OutboundMessage)).one()
        assert [e.status for e in message.history] == ["queued", "sending", "sent"]


def test_audit_log_is_append_only(db):
    with db.session() as session:
        record(session, "cli", "import.clients", subject_type="file", subject_id="clients.csv", rows=3)
    with pytest.raises(AuditLogIsAppendOnly), db.session() as session:
        session.scalars(select(AuditEntry)).one().action = "something else"
    with pytest.raises(AuditLogIsAppendOnly), db.session() as session:
        session.delete(session.scalars(select(AuditEntry)).one())
    with db.session() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.action, entry.detail) == ("import.clients", {"rows": 3})


def test_facility_open_until_its_closing_day():
    facility = Facility(code="F1", name="x", closed_on=date(2026, 1, 31))
    assert facility.is_open_on(date(2026, 1, 30)) and not facility.is_open_on(date(2026, 1, 31))


def test_a_prepared_insert_keeps_types_and_survives_a_dropped_connection(postgres_url):
    from sms_service.inbound.receive import STORED_COLUMNS, _store_statement

    db = Database(postgres_url)
    insert = db.prepared_insert("inbound_messages", _store_statement)
    at = datetime(2026, 3, 2, 12, 0, tzinfo=timezone(timedelta(hours=3)))  # 09:00 UTC

    def row(n):
        return {
            **dict.fromkeys(STORED_COLUMNS),
            "provider_id": f"ATX{n}",
            "phone": "+254700000001",
            "text": "hi",
            "received_at": at,
        }

    first = insert(row(1))
    assert first is not None and insert(row(1)) is None  # a replay inserts nothing
    with db.engine.connect() as c:  # the server drops the pooled connection (restart, failover)
        c.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    assert insert(row(2)) is not None  # retried once on a fresh connection
    with db.session() as s:
        stored = s.get(InboundMessage, first)
        assert stored.received_at == at  # stored as UTC, comes back aware
    db.dispose()


def test_a_locked_table_is_waited_for_once_not_again_on_a_new_connection(postgres_url):
    # drill 4 once saw a USSD answer take 1.2 s under a table lock: a read that met the lock
    # timeout was taken for a dropped connection, so it threw a sound connection away and waited
    # for the lock a second time; only a lost connection is worth a second try
    import psycopg
    from sqlalchemy import func

    db = Database(postgres_url)
    backend = db.prepared_query("backend", lambda: select(func.pg_backend_pid()))
    names = db.prepared_query("names", lambda: select(Client.first_name).where(Client.phone == "+254700000001"))
    before = backend.rows()[0][0]
    with psycopg.connect(postgres_url.replace("postgresql+psycopg://", "postgresql://")) as holder:
        holder.execute("LOCK TABLE clients IN ACCESS EXCLUSIVE MODE")
        with pytest.raises(psycopg.errors.LockNotAvailable):
            names.rows()
        holder.rollback()
    assert backend.rows()[0][0] == before  # the same connection: never thrown away, the lock met once
    db.dispose()
