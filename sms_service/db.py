"""The database: engine, sessions, and the column types every model shares.

The SQL database is the record (SPEC non-negotiable 2). Times are stored in UTC and always
come back timezone-aware, on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    DateTime,
    Integer,
    MetaData,
    Table,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def table_of(model: Any) -> Table:
    """A mapped class's Core table (SQLAlchemy types `__table__` as any FromClause)."""
    return cast(Table, model.__table__)


def changed_rows(result: Result) -> int:
    """How many rows an UPDATE or DELETE changed (a CursorResult's rowcount)."""
    return cast(CursorResult, result).rowcount


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A moment in time: stored as naive UTC, returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def among(session: Session, column, values):
    """`column IN values`; on PostgreSQL `= ANY(array)`, one parameter and one cached statement
    whatever the count (a 500-id IN list costs more to compile and parse than to run)."""
    if on_postgresql(session):
        return column == literal(list(values), ARRAY(column.type)).any_()
    return column.in_(values)


def few(session: Session, condition):
    """`condition`, marked as true of few rows. SQLite's planner knows a column's values only on
    average: once ANALYZE has seen a table of mostly `sent` messages it scans the whole table for
    `status = 'sending'` rather than use the index; `unlikely()` tells it better. PostgreSQL
    keeps the frequencies of common values and needs no hint."""
    if not on_postgresql(session):
        return func.unlikely(condition)
    return condition


def on_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def not_by_its_index(session: Session, column):
    """`column` as an expression on PostgreSQL, so that its index and statistics stay out of the
    plan: where the ids are what is selective, statistics that have not yet seen a burst (10,000
    messages just queued) cannot make the planner walk the status index and filter every row."""
    return column.concat("") if on_postgresql(session) else column


def claimed(session: Session, query):
    """`query` (a SELECT of rows to work on) taken by this transaction alone: on PostgreSQL the
    rows are locked and a second scheduler skips them; SQLite serialises writers already."""
    return query.with_for_update(skip_locked=True) if on_postgresql(session) else query


def claim(session: Session, table, chosen, values: dict, returning: tuple, condition=None):
    """UPDATE the rows `chosen` (a SELECT of their ids, with its order and limit) to `values`,
    returning `returning` of each: two claimers never take one row. On PostgreSQL the rows are
    locked in a CTE (never inlined; the lock re-checks them) joined by id alone, one primary-key
    lookup per row whatever the statistics say; on SQLite one statement under its write lock,
    `condition` tested again as it updates."""
    if on_postgresql(session):
        locked = chosen.with_for_update(skip_locked=True).cte("chosen")
        statement = update(table).where(table.c.id == locked.c.id)
    else:
        statement = update(table).where(table.c.id.in_(chosen.scalar_subquery()))
        if condition is not None:
            statement = statement.where(condition)
    return session.execute(statement.values(**values).returning(*returning)).all()


def insert_for_each(session: Session, table, column: str, ids: list[int], values: dict) -> None:
    """One row per id in `column`, the other columns the same `values`: on PostgreSQL a single
    INSERT … SELECT unnest(ids), on SQLite an executemany."""
    if not ids:
        return
    if on_postgresql(session):
        session.execute(
            insert(table).from_select(
                [column, *values],
                select(
                    func.unnest(literal(list(ids), ARRAY(Integer))),
                    *(literal(v, table.c[k].type) for k, v in values.items()),
                ),
            )
        )
    else:
        session.execute(insert(table), [{column: i, **values} for i in ids])


def insert_ignoring(dialect_name: str, table, columns: tuple[str, ...], conflict: str, values: dict | None = None):
    """`INSERT … ON CONFLICT (conflict) DO NOTHING RETURNING id`, a bound parameter per column
    (`values`: columns given as SQL expressions instead): what a hot path prepares once
    (`Database.prepared_insert`); a repeat of the same row inserts nothing and returns no id."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = postgresql if dialect_name == "postgresql" else sqlite
    return (
        dialect.insert(table)
        .values({**{c: bindparam(c) for c in columns}, **(values or {})})
        .on_conflict_do_nothing(index_elements=[conflict])
        .returning(table.c.id)
    )


def bulk_insert(
    session: Session, table, rows: list[dict], *, returning: tuple[str, ...] = (), conflict: str | None = None
) -> list[tuple]:
    """INSERT many rows (all with the same keys), `ON CONFLICT (conflict) DO NOTHING` if given,
    returning `returning` of the rows made. On PostgreSQL one statement, a column an array
    (`INSERT … SELECT unnest(…), …`): a multi-row VALUES of thousands of rows costs more to
    build and parse than to run. On SQLite an executemany, which is already fast there."""
    if not rows:
        return []
    out: list[tuple] = []
    if not on_postgresql(session):
        from sqlalchemy.dialects import sqlite

        statement = sqlite.insert(table)
        if conflict:
            statement = statement.on_conflict_do_nothing(index_elements=[conflict])
        if not returning:
            session.execute(statement, rows)
            return out
        made = statement.returning(*(table.c[name] for name in returning))
        for start in range(0, len(rows), 1000):
            out += [tuple(row) for row in session.execute(made, rows[start : start + 1000])]
        return out
    columns = list(rows[0])
    sql = f"INSERT INTO {table.name} ({', '.join(_quoted(c) for c in columns)}) SELECT " + ", ".join(
        f"unnest(CAST(:p{i} AS {_pg_type(session, table.c[c])}[]))" for i, c in enumerate(columns)
    )
    if conflict:
        sql += f" ON CONFLICT ({_quoted(conflict)}) DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(_quoted(c) for c in returning)
    result = session.execute(text(sql), {f"p{i}": _pg_values(table.c[c], rows, c) for i, c in enumerate(columns)})
    return [tuple(row) for row in result] if returning else out


def bulk_update(
    session: Session,
    table,
    rows: list[dict],
    key: str = "id",
    *,
    same: dict | None = None,
    only_where: dict | None = None,
) -> None:
    """UPDATE many rows by `key`, each to its own values (all rows with the same keys), and all
    to `same`; only those whose columns still hold `only_where` (tested by id on PostgreSQL,
    whatever the statistics say: `not_by_its_index`). On PostgreSQL one statement joined to
    arrays, on SQLite an executemany."""
    if not rows:
        return
    same, only_where = same or {}, only_where or {}
    columns = [c for c in rows[0] if c != key]
    if not on_postgresql(session):
        statement = update(table).where(
            table.c[key] == bindparam("_key"), *(table.c[c] == value for c, value in only_where.items())
        )
        session.execute(
            statement.values({**{c: bindparam(c) for c in columns}, **same}),
            [{**{c: row[c] for c in columns}, "_key": row[key]} for row in rows],
        )
        return
    names = [key, *columns]
    sql = (
        f"UPDATE {table.name} AS t SET "
        + ", ".join([f"{_quoted(c)} = v.{_quoted(c)}" for c in columns] + [f"{_quoted(c)} = :s_{c}" for c in same])
        + " FROM (SELECT "
        + ", ".join(
            f"unnest(CAST(:p{i} AS {_pg_type(session, table.c[c])}[])) AS {_quoted(c)}" for i, c in enumerate(names)
        )
        + f") AS v WHERE t.{_quoted(key)} = v.{_quoted(key)}"
        + "".join(f" AND t.{_quoted(c)} || '' = :w_{c}" for c in only_where)
    )
    joined = text(sql).bindparams(*(bindparam(f"s_{c}", type_=table.c[c].type) for c in same))
    session.execute(
        joined,
        {
            **{f"p{i}": _pg_values(table.c[c], rows, c) for i, c in enumerate(names)},
            **{f"s_{c}": v for c, v in same.items()},
            **{f"w_{c}": v for c, v in only_where.items()},
        },
    )


def _quoted(name: str) -> str:
    return f'"{name}"'


def _pg_type(session: Session, column) -> str:
    return column.type.compile(dialect=session.get_bind().dialect)


def _pg_values(column, rows: list[dict], name: str) -> list:
    """One column's values as the driver takes them: UTC moments as naive UTC, JSON as its text."""
    if isinstance(column.type, UTCDateTime):
        return [None if row[name] is None else row[name].astimezone(UTC).replace(tzinfo=None) for row in rows]
    if isinstance(column.type, JSON):
        return [None if row[name] is None else json.dumps(row[name]) for row in rows]
    return [row[name] for row in rows]


def make_engine(url: str, **options) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, **{"pool_pre_ping": True, "pool_size": 10, "max_overflow": 20, **options})


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class Database:
    """One engine and its session factory; one per process."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._autocommit: Engine | None = None
        self._prepared: dict[str, Prepared] = {}
        self._quick: sessionmaker | None = None
        self._quick_reads: Engine | None = None
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self) -> contextlib.AbstractContextManager[Session]:
        """A unit of work: commits on success, rolls back on error."""
        return _unit_of_work(self.sessions)

    def prepared_query(self, name: str, build) -> Prepared:
        """The SELECT that `build()` makes, prepared once per process: autocommit (one round
        trip a read), the quick timeouts, a dropped connection retried once."""
        return self._prepare(name, self._quick_autocommit, build)

    def prepared_insert(self, name: str, build, quick: bool = False, bounded: bool = False) -> Prepared:
        """The `INSERT … RETURNING id` that `build(dialect_name)` makes, prepared once per
        process for the hot paths (see `Prepared`); `quick`: under the USSD timeouts.
        `bounded` (a callback's record): on PostgreSQL under the quick timeouts too, so a locked
        table is answered within a second (the caller refuses, AT posts again) instead of
        holding a web worker that USSD needs; SQLite's writers wait as ever (its readers, USSD
        among them, are never blocked by a writer)."""
        quick = quick or (bounded and self.dialect == "postgresql")
        return self._prepare(
            name, self._quick_autocommit if quick else self._autocommit_engine, lambda: build(self.dialect)
        )

    def _prepare(self, name: str, engine, build) -> Prepared:
        if name not in self._prepared:
            self._prepared[name] = Prepared(engine(), build())
        return self._prepared[name]

    def _quick_autocommit(self) -> Engine:
        if self._quick_reads is None:
            self._quick_reads = self._quick_engine_with(isolation_level="AUTOCOMMIT", pool_pre_ping=False)
        return self._quick_reads

    def _quick_engine_with(self, **options) -> Engine:
        """Gives up within a second: connect, statement and lock timeouts."""
        if self.dialect == "sqlite":
            engine = create_engine(self.url, connect_args={"timeout": 0.5}, **options)
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA busy_timeout=500"))
            return engine
        # statements prepared at once and planned once: the menu's few reads are the same every time
        return make_engine(
            self.url,
            pool_size=4,
            connect_args={
                "connect_timeout": 1,
                "prepare_threshold": 0,
                "options": "-c statement_timeout=700 -c lock_timeout=300 -c plan_cache_mode=force_generic_plan",
            },
            **options,
        )

    def quick(self) -> contextlib.AbstractContextManager[Session]:
        """A unit of work that gives up within a second (USSD: a late answer drops the call):
        short connect, statement and lock timeouts on an engine of its own."""
        if self._quick is None:
            self._quick = sessionmaker(self._quick_engine_with(), expire_on_commit=False)
        return _unit_of_work(self._quick)

    def _autocommit_engine(self) -> Engine:
        if self._autocommit is None:
            # autocommit: the INSERT is its own durable transaction, one round trip; no pre-ping
            # (a dead connection is retried once instead: ON CONFLICT makes the retry harmless)
            self._autocommit = make_engine(
                self.url,
                isolation_level="AUTOCOMMIT",
                pool_pre_ping=False,
                **({} if self.dialect == "sqlite" else {"pool_size": 4}),
            )
        return self._autocommit

    def dispose(self) -> None:
        self.engine.dispose()
        if self._autocommit is not None:
            self._autocommit.dispose()
        if self._quick is not None:
            self._quick.kw["bind"].dispose()
        if self._quick_reads is not None:
            self._quick_reads.dispose()


@contextmanager
def _unit_of_work(sessions: sessionmaker) -> Iterator[Session]:
    with sessions() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _connection_lost(exc: Exception) -> bool:
    """A dropped connection (worth one more try on a new one), rather than the server refusing in
    time: PostgreSQL's lock and statement timeouts, SQLite's busy database."""
    state = getattr(exc, "sqlstate", None)  # psycopg: 08… connection, 57P… the server going down
    if state is not None:
        return state.startswith(("08", "57P"))
    return getattr(exc, "sqlite_errorname", None) not in ("SQLITE_BUSY", "SQLITE_LOCKED")


class Prepared:
    """One statement (a SELECT, or an INSERT/UPDATE … RETURNING) compiled by SQLAlchemy once
    and then run on the driver's cursor, with SQLAlchemy's own bind and result conversions:
    the webhooks' and the USSD menu's hot paths, which must answer in milliseconds, without
    the ORM or the per-call statement machinery (a third of the CPU of `Connection.execute`).
    Run on an autocommit engine: one round trip, and a write is durable when it returns. A
    dropped connection is retried once (the statements here are safe to repeat); a lock or
    statement timeout is not (it would only wait again)."""

    def __init__(self, engine: Engine, statement):
        dialect = engine.dialect
        self.engine, self.compiled = engine, statement.compile(dialect=dialect)
        self.sql = str(self.compiled)
        table = getattr(statement, "table", None)

        def type_of(name, bind):  # a bare bindparam("phone") in an INSERT takes its column's type
            return table.c[name].type if table is not None and name in table.c and bind.type._isnull else bind.type

        self.bind = {
            name: type_of(name, b).dialect_impl(dialect).bind_processor(dialect)
            for name, b in self.compiled.binds.items()
        }
        self.result = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in statement.exported_columns]
        self.order = self.compiled.positiontup if dialect.positional else None

    def rows(self, **values) -> list[tuple]:
        named = {
            k: (self.bind[k](v) if self.bind.get(k) else v) for k, v in self.compiled.construct_params(values).items()
        }
        params: dict | tuple = named if self.order is None else tuple(named[name] for name in self.order)
        for attempt in (1, 2):
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute(self.sql, params)
                found = cursor.fetchall()
                cursor.close()
                break
            except self.engine.dialect.loaded_dbapi.OperationalError as exc:
                if not _connection_lost(exc) or attempt == 2:
                    raise  # a lock or statement timeout: a second try would wait as long again
                raw.invalidate()  # the server went away: one more try on a fresh connection
            finally:
                raw.close()
        return [tuple(p(v) if p else v for p, v in zip(self.result, row, strict=True)) for row in found]

    def __call__(self, values: dict):
        """Run it; the first column of the first row returned, or None."""
        found = self.rows(**values)
        return found[0][0] if found else None
