"""Which Workbench the magics act on: the one created last (`%langstream_app` creates one)."""

from __future__ import annotations

import threading
import urllib.parse
from typing import TYPE_CHECKING

from kernel_runtime.manifest import Instance
from ls_workbench.errors import DefinitionError, WorkbenchError

if TYPE_CHECKING:
    from ls_workbench.workbench import Workbench

_current: Workbench | None = None
_current_lock = threading.Lock()


def current() -> Workbench:
    """The Workbench the magics act on: the one created last (`%langstream_app` creates one)."""
    if _current is None:
        raise WorkbenchError(
            "no LangStream application yet: run `%langstream_app NAME` (or create "
            "ls_workbench.Workbench(NAME)) first"
        )
    return _current


def set_current(workbench: Workbench | None) -> None:
    global _current
    with _current_lock:
        _current = workbench


def broker_instance(broker: str) -> Instance:
    """The instance a `--broker` option stands for: none (embedded) or a Kafka cluster.

    `kafka://HOST:PORT[?property=value&...]`: the properties join `bootstrap.servers` in
    `streamingCluster.configuration.admin`, spelled as in LangStream's instance files
    (e.g. `security.protocol=SASL_SSL`, `session.timeout.ms=6000`).
    """
    if broker in ("", "memory"):
        return Instance()
    if broker.startswith("kafka://"):
        parsed = urllib.parse.urlsplit(broker)
        if not parsed.hostname or parsed.port is None:
            raise DefinitionError(f"--broker {broker!r}: write kafka://HOST:PORT")
        admin: dict[str, str] = {"bootstrap.servers": parsed.netloc}
        admin.update(urllib.parse.parse_qsl(parsed.query))
        return Instance.model_validate(
            {"streamingCluster": {"type": "kafka", "configuration": {"admin": admin}}}
        )
    raise DefinitionError(f"--broker {broker!r}: use `memory` or `kafka://HOST:PORT`")


def is_current(workbench: Workbench) -> bool:
    return _current is workbench
