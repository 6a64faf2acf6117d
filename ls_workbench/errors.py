"""Errors a notebook user caused and can fix: shown in the cell as a message, not a traceback.

IPython renders an exception with `_render_traceback_` by calling it instead of printing the
whole traceback, so a syntax error in an agent cell reads as one clear paragraph, while the
cell still ends in error (a "Run All" stops there, as it should).
"""

from __future__ import annotations

RED = "\x1b[31m"
RESET = "\x1b[0m"


class WorkbenchError(Exception):
    """Something in the notebook's definitions or commands is wrong; the message says how to fix it."""

    title = "LangStream"

    def _render_traceback_(self) -> list[str]:
        lines = str(self).splitlines() or [type(self).__name__]
        return [f"{RED}{self.title}: {lines[0]}{RESET}", *lines[1:]]


class DefinitionError(WorkbenchError):
    """A topic, agent or gateway definition (a cell body or its options) is invalid."""

    title = "definition error"


class PipelineError(WorkbenchError):
    """The application could not be started or updated; what runs is left as it was."""

    title = "pipeline error"


class NotAvailable(WorkbenchError):
    """A feature whose implementation is not part of this installation yet."""

    title = "not available"
