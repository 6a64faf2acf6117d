"""Errors of agent configuration, raised by `init` so a bad pipeline fails before it runs."""

from __future__ import annotations


class AgentConfigError(ValueError):
    """An agent's configuration is invalid; the message names the field and how to fix it."""
