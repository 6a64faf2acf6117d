"""Kubernetes names and labels for an application's objects.

Agent ids are LangStream ids (`my_agent`, `Pipeline-python-processor-1` are allowed there);
Kubernetes names are DNS-1123 labels. We lower-case, replace what is not allowed and, when
a name is too long, cut it and add a short hash, so each id maps to one stable name.
"""

from __future__ import annotations

import hashlib
import re

MANAGED_BY = "ls-workbench"
LABEL_APPLICATION = "langstream-application"
LABEL_AGENT = "langstream-agent"
LABEL_COMPONENT = "app.kubernetes.io/component"
LABEL_PART_OF = "app.kubernetes.io/part-of"
LABEL_MANAGED_BY = "app.kubernetes.io/managed-by"
# a StatefulSet's pods carry `controller-revision-hash: <name>-<10 chars>`, a 63-char label
MAX_STATEFULSET_NAME = 52
MAX_NAME = 63

_INVALID = re.compile(r"[^a-z0-9-]+")


def dns_name(text: str, max_length: int = MAX_NAME) -> str:
    """`text` as a DNS-1035 label of at most `max_length` characters.

    A text that is already a valid name stays as it is; any other gets a short hash of the
    original appended, so two ids that clean up alike (`My_Agent`, `my-agent`) never clash.
    """
    name = _INVALID.sub("-", text.lower()).strip("-") or "x"
    if not name[0].isalpha():
        name = f"x-{name}"
    if name == text and len(name) <= max_length:
        return name
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
    return f"{name[: max_length - len(digest) - 1].rstrip('-')}-{digest}"


def label_value(text: str) -> str:
    """A label value: at most 63 characters of [A-Za-z0-9._-], starting and ending alphanumeric."""
    value = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    if len(value) > MAX_NAME:
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]
        value = f"{value[: MAX_NAME - 7].rstrip('-._')}-{digest}"
    return value


def app_labels(application_id: str, component: str) -> dict[str, str]:
    """Labels every object of the application carries; `component`: agent, gateway, config."""
    return {
        LABEL_APPLICATION: label_value(application_id),
        LABEL_PART_OF: label_value(application_id),
        LABEL_MANAGED_BY: MANAGED_BY,
        LABEL_COMPONENT: component,
    }


def agent_selector(application_id: str, executor_id: str) -> dict[str, str]:
    """What an agent's pods are selected by (also on its headless Service)."""
    return {
        LABEL_APPLICATION: label_value(application_id),
        LABEL_AGENT: label_value(executor_id),
    }


def application_selector(application_id: str) -> str:
    """A label selector for every object deploy created for the application."""
    return f"{LABEL_APPLICATION}={label_value(application_id)},{LABEL_MANAGED_BY}={MANAGED_BY}"
