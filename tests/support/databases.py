"""Test databases: a migrated SQLite file copied per test, and a private PostgreSQL database.

PostgreSQL: a fresh database `sms_test_<random>` is created on the server named by
SMS_TEST_POSTGRES_URL (default: the local server's `test` database as `postgres`), migrated
once, emptied after each test and dropped at the end. Where the server is absent the tests
skip with the reason, unless SMS_REQUIRE_POSTGRES is set (CI), when they fail.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sms_service.config import normalise_database_url
from sms_service.models import Base

DEFAULT_SERVER = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("SMS_TEST_POSTGRES_URL", DEFAULT_SERVER)


def postgres_required() -> bool:
    return os.environ.get("SMS_REQUIRE_POSTGRES", "") not in ("", "0", "false")


def _admin_conninfo(url: str) -> str:
    u = make_url(url)
    parts = [f"host={u.host or '127.0.0.1'}", f"port={u.port or 5432}", f"dbname={u.database or 'postgres'}"]
    if u.username:
        parts.append(f"user={u.username}")
    if u.password:
        parts.append(f"password={u.password}")
    return " ".join(parts)


def create_database() -> str:
    """Create a private database; return its SQLAlchemy URL. Raises OSError-like on failure."""
    name = f"sms_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_admin_conninfo(server_url()), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return normalise_database_url(make_url(server_url()).set(database=name).render_as_string(hide_password=False))


def drop_database(url: str) -> None:
    name = make_url(url).database
    with psycopg.connect(_admin_conninfo(server_url()), autocommit=True, connect_timeout=3) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def empty_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
