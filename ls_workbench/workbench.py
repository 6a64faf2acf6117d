"""`Workbench`: the Python API behind the notebook magics.

Cells define topics, agents and gateways; the Workbench writes them as a real LangStream
application folder (`app_dir`), loads it with `kernel_runtime.manifest` (so validation is
LangStream's), and runs it with `ApplicationRuntime` on a loop in a daemon thread. Re-defining
an agent while the pipeline runs swaps it in place (new code is `init`-ed first; on failure the
running version stays and the folder is put back as it was).

    wb = Workbench("hello")
    wb.define_agent("upper", "python-processor", input="in", output="out", code=SOURCE)
    wb.start()
    wb.send("in", "hi")
    wb.collect("out", count=1)
"""

from __future__ import annotations

import asyncio
import shutil
import weakref
from collections.abc import Collection
from pathlib import Path
from typing import Any

from kernel_runtime.agents.factory import AgentInitError
from kernel_runtime.agents.python_loader import AgentCodeError
from kernel_runtime.brokers.base import Broker
from kernel_runtime.manifest import (
    Application,
    ApplicationError,
    Instance,
    Secret,
    Secrets,
    load_application,
)
from kernel_runtime.runtime import RuntimeOptions, UnrunnableApplication
from ls_workbench.agent_code import (
    check_python_code,
    infer_class_name,
    is_python_type,
    module_name_for,
)
from ls_workbench.definitions import (
    AgentDefinition,
    Definitions,
    check_agent_options,
    checked_gateway,
    checked_topic,
    parse_configuration,
    parse_yaml_items,
)
from ls_workbench.engine import Engine
from ls_workbench.errors import DefinitionError, PipelineError, WorkbenchError
from ls_workbench.kernel_loop import KernelLoop, shared_loop
from ls_workbench.results import Change, Status
from ls_workbench.session import broker_instance, current, is_current, set_current
from ls_workbench.workbench_io import CALL_TIMEOUT, RecordsAPI
from ls_workbench.workbench_views import ViewsAPI

__all__ = ["Workbench", "current"]

START_TIMEOUT = 60.0
RUNTIME_ERRORS = (
    AgentCodeError,
    AgentInitError,
    UnrunnableApplication,
    NotImplementedError,
    OSError,  # the gateway cannot listen on its port
)


class Workbench(RecordsAPI, ViewsAPI):
    """Define, run and inspect one LangStream application from a notebook or a script."""

    def __init__(
        self,
        name: str = "notebook-app",
        *,
        tenant: str = "default",
        broker: str | Broker = "memory",
        gateway_port: int | None = None,
        gateway_test_mode: bool = False,
        workdir: str | Path | None = None,
        reset: bool = False,
        make_current: bool = True,
        loop: KernelLoop | None = None,
    ) -> None:
        self.name = name
        self.tenant = tenant
        self.gateway_port = gateway_port
        self.workdir = Path(workdir) if workdir is not None else Path.cwd()
        self.app_dir = self.workdir / ".ls-workbench" / "apps" / name
        self.state_root = self.workdir / ".ls-workbench" / "state"
        self.instance = broker_instance(broker) if isinstance(broker, str) else Instance()
        self.secrets = Secrets()
        # pip requirement lines the agents need; export writes them to python/requirements.txt
        self.requirements: list[str] = []
        self.definitions = Definitions(name)
        self._loop = loop or shared_loop()
        self._app: Application | None = None
        self._views: weakref.WeakSet[Any] = weakref.WeakSet()
        if reset:
            self.reset()
        self.definitions.write(self.app_dir)
        options = RuntimeOptions(tenant=tenant, application_id=name, state_root=self.state_root)
        self.engine = Engine(
            instance=self.instance,
            options=options,
            broker=None if isinstance(broker, str) else broker,
            gateway_port=gateway_port,
            gateway_test_mode=gateway_test_mode,
        )
        from ls_workbench.monitor import Monitor

        self.monitor = Monitor(self)
        unregister = self._loop.on_shutdown(self.engine.close)
        self._finalizer = weakref.finalize(self, _close, self._loop, self.engine, unregister)
        if make_current:
            set_current(self)

    # -- definitions ---------------------------------------------------------------------------

    def define_topics(self, spec: str | dict | list) -> Change:
        """Declare topics: a YAML string, a mapping, or a list of them, LangStream spelling."""
        items = [checked_topic(item) for item in parse_yaml_items(spec, "topic")]
        new = self.definitions.copy()
        for item in items:
            new.topics[item["name"]] = item
        return self._apply(new, f"topic(s) {', '.join(i['name'] for i in items)}")

    def define_agent(
        self,
        agent_id: str,
        agent_type: str,
        *,
        code: str | type | None = None,
        configuration: str | dict | None = None,
        input: str | None = None,
        output: str | None = None,
        name: str | None = None,
        parallelism: int | None = None,
        disk: str | None = None,
        retries: int | None = None,
        on_failure: str | None = None,
        class_name: str | None = None,
    ) -> Change:
        """Define (or re-define) an agent; a running pipeline swaps it in place.

        Python agents (`python-*`) take `code` (source text, or a class) and optionally a
        `configuration`; other agent types take their `configuration` only.
        """
        agent = AgentDefinition(
            id=agent_id,
            type=agent_type,
            name=name,
            input=input,
            output=output,
            configuration=parse_configuration(configuration, agent_id),
            parallelism=parallelism,
            disk=disk,
            retries=retries,
            on_failure=on_failure,
        )
        check_agent_options(agent)
        if is_python_type(agent_type):
            if code is None:
                raise DefinitionError(
                    f"agent {agent_id!r} ({agent_type}) needs code: the cell body defines the "
                    "agent class"
                )
            if isinstance(code, type):
                from ls_workbench.class_source import class_source

                class_name = class_name or code.__name__
                code = class_source(code)
            tree = check_python_code(code, agent_id)
            agent.code = code
            agent.class_name = class_name or infer_class_name(tree, agent_type, agent_id)
            previous = self.definitions.agents.get(agent_id)
            agent.module = (
                previous.module
                if previous is not None and previous.module
                else module_name_for(agent_id)
            )
        elif code is not None:
            raise DefinitionError(
                f"agent {agent_id!r} has type {agent_type!r}, which takes a YAML configuration, "
                "not code; for your own code use a python-processor / python-source / "
                "python-sink / python-service agent"
            )
        previous = self.definitions.agents.get(agent_id)
        if previous == agent and not self._agent_failed(agent_id):
            return Change(f"agent {agent_id!r}", "unchanged")
        new = self.definitions.copy()
        new.agents[agent_id] = agent
        return self._apply(new, f"agent {agent_id!r}", reload=[agent_id])

    def _agent_failed(self, agent_id: str) -> bool:
        """Re-running an unchanged cell restarts its agent only when that agent failed."""
        runtime = self.engine.runtime
        if runtime is None:
            return False
        return any(
            agent_id in executor.plan.agent_ids and executor.stats.state == "failed"
            for executor in list(runtime.executors.values())
        )

    def remove_agent(self, agent_id: str) -> Change:
        if agent_id not in self.definitions.agents:
            raise DefinitionError(f"no agent {agent_id!r}; agents: {self._agent_list()}")
        new = self.definitions.copy()
        del new.agents[agent_id]
        return self._apply(new, f"agent {agent_id!r} removed")

    def define_gateways(self, spec: str | dict | list) -> Change:
        """Declare gateways: a YAML string, a mapping, or a list of them, LangStream spelling."""
        items = [checked_gateway(item) for item in parse_yaml_items(spec, "gateway")]
        new = self.definitions.copy()
        for item in items:
            new.gateways[item["id"]] = item
        return self._apply(new, f"gateway(s) {', '.join(i['id'] for i in items)}")

    def define_resources(self, spec: str | dict | list) -> Change:
        """Declare configuration.yaml resources (AI services, datasources), LangStream spelling:
        `type`, `name` or `id`, `configuration`. A resource with the same id replaces the old one."""
        items = parse_yaml_items(spec, "resource")
        new = self.definitions.copy()
        resources = list(new.configuration.get("resources") or [])
        for item in items:
            key = item.get("id") or item.get("name")
            if not key or not item.get("type"):
                raise DefinitionError(
                    f"resource {item!r} needs `type` (e.g. open-ai-configuration, datasource) "
                    "and `name` or `id`"
                )
            resources = [r for r in resources if (r.get("id") or r.get("name")) != key] + [item]
        new.configuration["resources"] = resources
        names = ", ".join(str(i.get("id") or i.get("name")) for i in items)
        return self._apply(new, f"resource(s) {names}")

    def require(self, requirements: str) -> Change:
        """Declare pip packages the agents need (requirements.txt lines); the export writes
        them to python/requirements.txt. Names the ones this kernel does not have yet."""
        from ls_workbench.requirements import merge_requirements, not_installed, parse_requirements

        declared = parse_requirements(requirements)
        if not declared:
            raise DefinitionError("no package given; write requirements.txt lines, e.g. `pypdf`")
        self.requirements = merge_requirements(self.requirements, declared)
        lacking = not_installed(declared)
        notes = []
        if lacking:
            described = ", ".join(
                str(r) if version is None else f"{r} (this kernel has {version})"
                for r, version in lacking
            )
            notes.append(f"not satisfied in this kernel: {described}")
            notes.append("%pip install " + " ".join(repr(str(r)) for r, _ in lacking))
        return Change(
            f"requirement(s) {', '.join(r.name for r in declared)}",
            "declared (python/requirements.txt)",
            notes,
        )

    def set_secret(self, secret_id: str, **data: Any) -> None:
        """Add or replace a secret that `${secrets.<id>.<key>}` placeholders read."""
        kept = [s for s in self.secrets.secrets if s.id != secret_id]
        self.secrets = Secrets(secrets=[*kept, Secret(id=secret_id, name=secret_id, data=data)])
        self._app = None

    def set_globals(self, **values: Any) -> None:
        """Instance globals, read by `${globals.<key>}` placeholders."""
        self.instance.globals = {**(self.instance.globals or {}), **values}
        self._app = None

    def _agent_list(self) -> str:
        return ", ".join(self.definitions.agents) or "none yet"

    def _apply(self, new: Definitions, what: str, reload: Collection[str] = ()) -> Change:
        """Write `new`; when running, move the pipeline to it or put everything back."""
        old = self.definitions
        new.write(self.app_dir)
        self.definitions, self._app = new, None
        implicit = [n for n in new.implicit_topics() if n not in old.implicit_topics()]
        notes = (
            [f"declared topic(s) {', '.join(implicit)} (create-if-not-exists)"] if implicit else []
        )
        if not self.running:
            try:
                self.application()
            except PipelineError as error:
                notes.append(f"not runnable yet: {error}")
            return Change(what, "defined", notes)
        try:
            app = self.application()
            outcome = self._loop.run(
                self.engine.update(app.resolved(), reload=reload), START_TIMEOUT
            )
        except (WorkbenchError, ApplicationError, *RUNTIME_ERRORS) as error:
            old.write(self.app_dir)
            self.definitions, self._app = old, None
            raise PipelineError(
                f"{_message(error)}\nThe running pipeline is unchanged (still the previous "
                "definition); fix the cell and run it again."
            ) from error
        self._refresh_views()
        changed = {k: v for k, v in outcome.items() if v != "kept"}
        summary = ", ".join(f"{k} {v}" for k, v in changed.items()) or "nothing to swap"
        return Change(what, "applied", [*notes, f"running pipeline: {summary}"])

    # -- the application -------------------------------------------------------------------------

    def application(self) -> Application:
        """The application folder loaded and validated by LangStream's rules (cached)."""
        if self._app is None:
            try:
                # an empty instance (embedded broker, no globals) is passed as none, so the
                # notebook is not told on every cell that deploying needs a streamingCluster
                instance = self.instance if self.instance.to_yaml_data() else None
                self._app = load_application(self.app_dir, instance=instance, secrets=self.secrets)
            except ApplicationError as error:
                raise PipelineError(str(error)) from error
        return self._app

    @property
    def running(self) -> bool:
        return self.engine.running

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop.loop

    def run(self, coro: Any, timeout: float | None = CALL_TIMEOUT) -> Any:
        """Run a coroutine on the Workbench's loop (where the broker and runtime live)."""
        return self._loop.run(coro, timeout)

    def start(self, agent_ids: Collection[str] | None = None) -> Status:
        """Validate and start the pipeline (all agents, or those given)."""
        if self.running:
            return self.status()
        if not self.definitions.agents:
            raise PipelineError("no agents to run yet: define one with %%langstream_agent")
        app = self.application().resolved()
        try:
            self._loop.run(self.engine.start(app, agent_ids), START_TIMEOUT)
        except RUNTIME_ERRORS as error:
            raise PipelineError(f"{_message(error)}\nNothing was started.") from error
        self.monitor.ensure_running()
        self._refresh_views()
        return self.status()

    def stop(self) -> Status:
        """Stop every agent after its batch in flight is committed; topics keep their records."""
        self._loop.run(self.engine.stop(), START_TIMEOUT)
        self._refresh_views()
        return self.status()

    def status(self) -> Status:
        snapshot = self._loop.run(self.engine.snapshot(), CALL_TIMEOUT)
        return Status(self.name, snapshot, self.gateway_urls())

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget the folder and the agents' saved state of this application (not running)."""
        if getattr(self, "engine", None) is not None and self.running:
            raise PipelineError("stop the pipeline before resetting it")
        shutil.rmtree(self.app_dir, ignore_errors=True)
        shutil.rmtree(self.state_root / self.tenant / self.name, ignore_errors=True)
        self._app = None

    def close(self) -> None:
        """Stop the pipeline and close the broker; the Workbench cannot be used after this."""
        self.monitor.stop()
        self._finalizer()
        if is_current(self):
            set_current(None)

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"Workbench({self.name!r}, {state}, agents: {self._agent_list()})"


def _close(loop: KernelLoop, engine: Engine, unregister: Any) -> None:
    unregister()
    if loop.running:
        try:
            loop.run(engine.close(), START_TIMEOUT)
        except Exception:  # noqa: BLE001 - closing at exit is best effort
            pass


def _message(error: BaseException) -> str:
    if isinstance(error, ApplicationError):
        return str(error)
    return str(error) or type(error).__name__
