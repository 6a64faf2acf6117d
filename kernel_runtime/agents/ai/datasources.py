"""`datasource` resources as SQL databases: JDBC URLs opened with SQLAlchemy.

The embedded vector store is DuckDB (`url: jdbc:duckdb:/path/file.duckdb`, or `jdbc:duckdb:`
in memory). Why DuckDB: it runs in this process with no server, it is one file, it is well
kept (DuckDB Labs), it has real `FLOAT[]` list columns and vectorised
`list_cosine_similarity`, and its SQL macros and type aliases let the HerdDB-flavoured SQL of
LangStream's examples run as written: `FLOATA` columns, `cosine_similarity(a, b)`, and
`CAST(? AS FLOAT ARRAY)` (rewritten to `CAST(? AS FLOAT[])`). sqlite-vec would need SQLite
extension loading, which this CPython's sqlite3 lacks; Chroma and LanceDB bring heavy
dependencies and do not speak SQL, which `query` needs. The same URL is a valid JDBC URL for
LangStream (with the DuckDB JDBC driver as a dependency), so the application exports as is.

Other JDBC URLs map to SQLAlchemy URLs: `jdbc:sqlite:FILE`, `jdbc:postgresql://...`
(psycopg), `jdbc:mysql://...` / `jdbc:mariadb://...` (pymysql), with `user` / `password` from
the resource. Statements use JDBC's `?` parameters, converted to the driver's style. Embedded
databases (DuckDB, SQLite) are opened once per process and URL and used one statement at a
time; agents call them from worker threads.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kernel_runtime.agents.ai.resources import ResourceRef
from kernel_runtime.agents.errors import AgentConfigError

LOCAL_HINT = (
    "for a local vector store use `service: jdbc` with `url: jdbc:duckdb:/path/to/file.duckdb`"
)
_SCHEMES = {
    "duckdb": "duckdb",
    "sqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mysql+pymysql",
}
_FLOAT_ARRAY_CAST = re.compile(r"CAST\s*\(\s*\?\s+AS\s+FLOAT\s+ARRAY\s*\)", re.IGNORECASE)
_DUCKDB_SETUP = (
    "CREATE OR REPLACE TEMP MACRO cosine_similarity(a, b) AS list_cosine_similarity(a, b)",
    "CREATE OR REPLACE TEMP MACRO dot_product(a, b) AS list_inner_product(a, b)",
    "CREATE OR REPLACE TEMP MACRO euclidean_distance(a, b) AS list_distance(a, b)",
)


class DatasourceError(AgentConfigError):
    """The datasource resource cannot be used here; the message says why and what to use."""


@dataclass(frozen=True)
class Target:
    """Where a datasource points: the SQLAlchemy URL and whether it is embedded in-process."""

    url: str
    scheme: str

    @property
    def embedded(self) -> bool:
        return self.scheme in ("duckdb", "sqlite")


def target_of(ref: ResourceRef) -> Target:
    """The SQLAlchemy URL of a `service: jdbc` datasource; raises `DatasourceError`."""
    config = ref.configuration
    where = f"resource {ref.id!r} ({ref.type}) in configuration.yaml"
    service = config.get("service")
    if service != "jdbc":
        raise DatasourceError(
            f"{where} has service {service!r}, which ls-workbench cannot reach from the kernel; "
            f"the exported application still uses it on a LangStream cluster. {LOCAL_HINT}"
        )
    url = str(config.get("url") or "")
    match = re.match(r"jdbc:([a-z0-9]+):(.*)$", url, re.DOTALL)
    if not match:
        raise DatasourceError(
            f"{where}: url {url!r} is not a JDBC URL (jdbc:<db>:...); {LOCAL_HINT}"
        )
    scheme, rest = match.groups()
    if scheme not in _SCHEMES:
        raise DatasourceError(
            f"{where}: {scheme} databases cannot run in the kernel (supported here: "
            f"{', '.join(sorted(_SCHEMES))}); {LOCAL_HINT}"
        )
    if scheme in ("duckdb", "sqlite"):
        path = rest.split("?", 1)[0]
        return Target(f"{_SCHEMES[scheme]}:///{path or ':memory:'}", scheme)
    if not rest.startswith("//"):
        raise DatasourceError(f"{where}: url {url!r} should look like jdbc:{scheme}://host:port/db")
    credentials = ""
    if config.get("user"):
        credentials = quote(str(config["user"]), safe="")
        if config.get("password"):
            credentials += ":" + quote(str(config["password"]), safe="")
        credentials += "@"
    return Target(f"{_SCHEMES[scheme]}://{credentials}{rest[2:]}", scheme)


def to_driver_sql(sql: str, scheme: str, paramstyle: str) -> str:
    """JDBC `?` parameters in the driver's style; HerdDB's `FLOAT ARRAY` cast for DuckDB."""
    if scheme == "duckdb":
        sql = _FLOAT_ARRAY_CAST.sub("CAST(? AS FLOAT[])", sql)
    if paramstyle in ("qmark",):
        return sql
    out: list[str] = []
    quote_char: str | None = None
    for char in sql:
        if quote_char:
            if char == quote_char:
                quote_char = None
            out.append("%%" if char == "%" and paramstyle in ("format", "pyformat") else char)
        elif char in "'\"":
            quote_char = char
            out.append(char)
        elif char == "?":
            out.append("%s" if paramstyle in ("format", "pyformat") else "?")
        elif char == "%" and paramstyle in ("format", "pyformat"):
            out.append("%%")
        else:
            out.append(char)
    return "".join(out)


def to_json_value(value: Any) -> Any:
    """A database value as JSON-friendly Python (as LangStream's Jackson would print it)."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, list):
        return [to_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Outcome:
    """What a statement did: affected rows (or -1), and the rows it returned."""

    count: int
    names: list[str]
    rows: list[tuple[Any, ...]]


class SqlDatabase:
    """One database: `fetch`, `execute`, `upsert` and `delete` with JDBC-style statements."""

    def __init__(self, target: Target) -> None:
        from sqlalchemy import create_engine, event
        from sqlalchemy.pool import StaticPool

        self.target = target
        self.lock = threading.RLock()
        kwargs: dict[str, Any] = {}
        if target.embedded:
            kwargs["poolclass"] = StaticPool
            if target.scheme == "sqlite":
                kwargs["connect_args"] = {"check_same_thread": False}
        self.engine = create_engine(target.url, **kwargs)
        if target.scheme == "sqlite":
            event.listen(self.engine, "connect", _sqlite_functions)
        self.paramstyle = self.engine.dialect.paramstyle
        self.connection = self.engine.connect() if target.embedded else None
        if target.scheme == "duckdb":
            self._duckdb_setup()

    def _duckdb_setup(self) -> None:
        with self.lock:
            assert self.connection is not None
            known = self.connection.exec_driver_sql(
                "SELECT count(*) FROM duckdb_types() WHERE lower(type_name) = 'floata'"
            ).scalar()
            if not known:
                self.connection.exec_driver_sql("CREATE TYPE FLOATA AS FLOAT[]")
            for statement in _DUCKDB_SETUP:
                self.connection.exec_driver_sql(statement)
            self.connection.commit()

    def _params(self, params: Sequence[Any]) -> tuple[Any, ...]:
        if self.target.scheme == "sqlite":  # no array type: vectors travel as JSON text
            return tuple(json.dumps(p) if isinstance(p, (list, dict)) else p for p in params)
        return tuple(params)

    def _run(self, sql: str, params: Sequence[Any]) -> Outcome:
        statement = to_driver_sql(sql, self.target.scheme, self.paramstyle)
        with self.lock:
            if self.connection is not None:
                return self._on(self.connection, statement, params)
            with self.engine.connect() as connection:
                return self._on(connection, statement, params)

    def _on(self, connection: Any, statement: str, params: Sequence[Any]) -> Outcome:
        try:
            result = connection.exec_driver_sql(statement, self._params(params))
            names = list(result.keys()) if result.returns_rows else []
            rows = [tuple(row) for row in result.fetchall()] if result.returns_rows else []
            outcome = Outcome(result.rowcount, names, rows)
            connection.commit()
            return outcome
        except Exception:
            connection.rollback()
            raise

    def fetch(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        """Rows as maps, column name -> value (LangStream's `fetchData`)."""
        outcome = self._run(sql, params)
        scheme = self.target.scheme
        return [
            {
                name: _decoded(to_json_value(value), scheme)
                for name, value in zip(outcome.names, row, strict=True)
            }
            for row in outcome.rows
        ]

    def execute(
        self, sql: str, params: Sequence[Any], generated_keys: Sequence[str] = ()
    ) -> dict[str, Any]:
        """`{"count": n}`, plus `generatedKeys` (via RETURNING) when asked (`executeStatement`)."""
        if generated_keys and "returning" not in sql.lower():
            sql = f"{sql.rstrip().rstrip(';')} RETURNING {', '.join(generated_keys)}"
        outcome = self._run(sql, params)
        count = outcome.count if outcome.count >= 0 else len(outcome.rows)
        result: dict[str, Any] = {"count": count}
        if generated_keys:
            last = outcome.rows[-1] if outcome.rows else ()
            result["generatedKeys"] = {
                name: to_json_value(value) for name, value in zip(outcome.names, last, strict=False)
            }
        return result

    def upsert(self, table: str, keys: dict[str, Any], columns: dict[str, Any]) -> None:
        """JdbcWriter's upsert: UPDATE by primary key, INSERT when no row was updated."""
        with self.lock:
            if columns:
                assignments = ", ".join(f"{name} = ?" for name in columns)
                where = " AND ".join(f"{name} = ?" for name in keys) or "1 = 0"
                updated = self._run(
                    f"UPDATE {table} SET {assignments} WHERE {where}",
                    [*columns.values(), *keys.values()],
                )
                if updated.count > 0:
                    return
            names = [*keys, *columns]
            marks = ", ".join("?" for _ in names)
            self._run(
                f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})",
                [*keys.values(), *columns.values()],
            )

    def delete(self, table: str, keys: dict[str, Any]) -> None:
        where = " AND ".join(f"{name} = ?" for name in keys)
        self._run(f"DELETE FROM {table} WHERE {where}", list(keys.values()))

    def table_exists(self, table: str) -> bool:
        from sqlalchemy import inspect

        with self.lock:
            inspector = inspect(self.connection if self.connection is not None else self.engine)
            names = {name.lower() for name in inspector.get_table_names()}
        return table.lower() in names

    def run_script(self, statements: Sequence[str]) -> None:
        for statement in statements:
            self._run(statement, ())


def _decoded(value: Any, scheme: str) -> Any:
    """SQLite keeps vectors as JSON text: give them back as lists."""
    if (
        scheme == "sqlite"
        and isinstance(value, str)
        and value.startswith("[")
        and value.endswith("]")
    ):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _cosine(a: Any, b: Any) -> float | None:
    if a is None or b is None:
        return None
    x, y = json.loads(a) if isinstance(a, str) else a, json.loads(b) if isinstance(b, str) else b
    dot = sum(p * q for p, q in zip(x, y, strict=False))
    norm = (sum(p * p for p in x) ** 0.5) * (sum(q * q for q in y) ** 0.5)
    return dot / norm if norm else 0.0


def _sqlite_functions(connection: Any, _record: Any) -> None:
    connection.create_function("cosine_similarity", 2, _cosine, deterministic=True)


_databases: dict[str, SqlDatabase] = {}
_databases_lock = threading.Lock()


def open_database(ref: ResourceRef) -> SqlDatabase:
    """The database of a datasource resource, shared by every agent of the process."""
    target = target_of(ref)
    with _databases_lock:
        database = _databases.get(target.url)
        if database is None:
            try:
                database = SqlDatabase(target)
            except ModuleNotFoundError as error:
                raise DatasourceError(
                    f"resource {ref.id!r}: the Python driver for {target.scheme} is not installed "
                    f"({error.name}); install it, e.g. pip install {error.name}"
                ) from error
            _databases[target.url] = database
        return database


def close_databases() -> None:
    """Close every shared database (tests, and the end of a kernel session)."""
    with _databases_lock:
        for database in _databases.values():
            if database.connection is not None:
                database.connection.close()
            database.engine.dispose()
        _databases.clear()
