"""IPython magics over the Workbench API; `%load_ext ls_workbench` registers them."""

from __future__ import annotations

from typing import Any

from ls_workbench.magics.langstream import LangStreamMagics


def load_ipython_extension(ipython: Any) -> None:
    ipython.register_magics(LangStreamMagics)


__all__ = ["LangStreamMagics", "load_ipython_extension"]
