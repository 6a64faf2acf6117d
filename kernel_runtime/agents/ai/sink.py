"""`vector-db-sink` for `service: jdbc` datasources (LangStream's JdbcWriter).

Each record is upserted into `table-name`: the `fields` with `primary-key: true` find the row,
the others are written (UPDATE, then INSERT when no row matched); a record whose value is null
deletes the row. Field expressions see the record as usual (`value.text`,
`fn:toListOfFloat(value.embeddings)`). Other datasource services (Astra, Pinecone, OpenSearch,
Milvus, Solr, Cassandra) are valid LangStream and export as written, but cannot run here.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

from langstream import Record, Sink

from kernel_runtime.agents.ai.datasources import (
    DatasourceError,
    SqlDatabase,
    open_database,
    target_of,
)
from kernel_runtime.agents.ai.query import datasource_check
from kernel_runtime.agents.ai.resources import DATASOURCE_KEY, ResourceRef
from kernel_runtime.agents.ai.step import ConfiguredAgent, NotRunnableHere
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.expressions import Expression, ExpressionError, compile_expression

log = logging.getLogger(__name__)
_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class VectorDbSink(ConfiguredAgent, Sink):
    agent_type = "vector-db-sink"
    KEYS = ("datasource", "table-name", "fields")

    def init(self, config: dict[str, Any], context: Any = None) -> None:
        resource = config.get(DATASOURCE_KEY) or {}
        service = (resource.get("configuration") or {}).get("service")
        if resource and service != "jdbc":
            # other services have other keys: say what cannot run here before judging the keys
            self.agent_id = getattr(context, "agent_id", None)
            if isinstance(service, str) and "${" in service:
                return  # unknown until the placeholder is resolved (at run time)
            try:
                target_of(ResourceRef.from_dict(resource))
            except DatasourceError as error:
                raise NotRunnableHere(f"{self.where()}: {error}") from error
        super().init(config, context)

    def configure(self, reader: ConfigReader) -> None:
        self.datasource_name = reader.string("datasource", required=True)
        datasource_check(self)
        self.table = reader.string("table-name", required=True) or ""
        if not _TABLE.match(self.table):
            raise reader.error("table-name", f"{self.table!r} is not a table name")
        self.keys: dict[str, Expression] = {}
        self.columns: dict[str, Expression] = {}
        for index, item in enumerate(reader.items("fields", required=True)):
            field = reader.nested("fields", index, item, ("name", "expression", "primary-key"))
            name = field.string("name", required=True) or ""
            if not _TABLE.match(name):
                raise field.error("name", f"{name!r} is not a column name")
            source = field.string("expression", required=True) or ""
            try:
                expression = compile_expression(source)
            except ExpressionError as error:
                raise field.error("expression", f"is not a valid expression:\n{error}") from error
            (self.keys if field.boolean("primary-key", False) else self.columns)[name] = expression
        if not self.keys:
            raise reader.error("fields", "needs at least one field with `primary-key: true`")
        self.database: SqlDatabase | None = None

    async def start(self) -> None:
        assert self.datasource_resource is not None
        self.database = await asyncio.to_thread(open_database, self.datasource_resource)

    def _write(self, record: Record) -> None:
        assert self.database is not None
        mutable = MutableRecord.from_record(record)
        variables = mutable.variables()
        keys = {name: e.evaluate_variables(variables) for name, e in self.keys.items()}
        if record.value() is None:
            self.database.delete(self.table, keys)
            return
        columns = {name: e.evaluate_variables(variables) for name, e in self.columns.items()}
        self.database.upsert(self.table, keys, columns)

    async def write(self, record: Record) -> None:  # type: ignore[override]
        await asyncio.to_thread(self._write, record)
