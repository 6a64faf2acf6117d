"""`query` and `query-vector-db` (LangStream's QueryStep) on a `datasource` resource.

`fields` are expressions whose values fill the `?` parameters of `query`, in order (a list of
floats binds as a vector). `mode: query` stores the rows (maps, column -> value) in
`output-field`, or only the first row (`only-first`); `mode: execute` stores
`{"count": n, "generatedKeys": {...}}`. With `loop-over` (an expression giving a list), the
statement runs once per item, which the `fields` see as `record` (`record.id`): rows are
concatenated, execute results listed.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from kernel_runtime.agents.ai.datasources import (
    DatasourceError,
    SqlDatabase,
    open_database,
    target_of,
)
from kernel_runtime.agents.ai.step import AIStep, NotRunnableHere, result_field
from kernel_runtime.agents.builtin.config import ConfigReader
from kernel_runtime.agents.builtin.mutable import MutableRecord
from kernel_runtime.agents.errors import AgentConfigError
from kernel_runtime.expressions import Expression

MODES = ("query", "execute")


def datasource_check(agent: Any) -> None:
    """Fail at init when the datasource is missing or cannot be opened here."""
    if agent.datasource_resource is None:
        raise AgentConfigError(
            f"{agent.where()}: datasource {agent.datasource_name!r} is not a resource of "
            "configuration.yaml; add a `datasource` resource with that name"
        )
    if "${" in json.dumps(agent.datasource_resource.configuration, default=str):
        return  # placeholders are resolved at run time, where this check runs again
    try:
        target_of(agent.datasource_resource)
    except DatasourceError as error:
        raise NotRunnableHere(f"{agent.where()}: {error}") from error


class QueryAgent(AIStep):
    agent_type = "query"
    STEP_KEYS = (
        "query",
        "loop-over",
        "fields",
        "output-field",
        "only-first",
        "datasource",
        "mode",
        "generated-keys",
    )

    def configure_step(self, reader: ConfigReader) -> None:
        self.query = reader.string("query", required=True) or ""
        if not self.query.strip():
            raise reader.error("query", "is empty; write the SQL statement to run")
        self.loop_over: Expression | None = reader.expression("loop-over")
        self.fields: list[Expression] = []
        for index, source in enumerate(reader.strings("fields")):
            self.fields.append(_expression(reader, f"fields[{index}]", source))
        self.output_field = result_field(reader, "output-field", required=True)
        self.only_first = reader.boolean("only-first", False)
        self.mode = reader.choice("mode", MODES, "query") or "query"
        self.generated_keys = reader.strings("generated-keys")
        self.datasource_name = reader.string("datasource", required=True)
        datasource_check(self)
        self.database: SqlDatabase | None = None

    async def start(self) -> None:
        assert self.datasource_resource is not None
        self.database = await asyncio.to_thread(open_database, self.datasource_resource)

    def _params(self, variables: dict[str, Any]) -> list[Any]:
        return [field.evaluate_variables(variables) for field in self.fields]

    def _run_once(self, variables: dict[str, Any]) -> Any:
        assert self.database is not None
        params = self._params(variables)
        if self.mode == "execute":
            return self.database.execute(self.query, params, self.generated_keys)
        return self.database.fetch(self.query, params)

    def _run(self, mutable: MutableRecord) -> Any:
        variables = mutable.variables()
        if self.loop_over is None:
            results = self._run_once(variables)
        else:
            items = self.loop_over.evaluate_variables(variables) or []
            per_item = [self._run_once({**variables, "record": item}) for item in items]
            if self.mode == "execute":
                return per_item
            results = [row for rows in per_item for row in rows]
        if self.mode == "query" and self.only_first:
            return results[0] if results else {}
        return results

    async def apply(self, mutable: MutableRecord) -> None:
        result = await asyncio.to_thread(self._run, mutable)
        assert self.output_field is not None
        mutable.set_result_field(result, self.output_field)


class QueryVectorDbAgent(QueryAgent):
    """`query-vector-db`: the same model and behaviour as `query`, on a vector database."""

    agent_type = "query-vector-db"


def _expression(reader: ConfigReader, field: str, source: str) -> Expression:
    from kernel_runtime.expressions import ExpressionError, compile_expression

    try:
        return compile_expression(source)
    except ExpressionError as error:
        raise reader.error(field, f"is not a valid expression:\n{error}") from error
