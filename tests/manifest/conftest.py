"""Shared paths for the manifest tests: our own app folders and LangStream's examples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).parent
APPS = HERE / "apps"
SHARED = APPS / "shared"
PROJECT_ROOT = HERE.parent.parent


def examples_dir() -> Path:
    """LangStream's example applications (read in place, never copied into the project)."""
    configured = os.environ.get("LS_EXAMPLES_DIR")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "langstream-examples"


@pytest.fixture
def apps() -> Path:
    return APPS


@pytest.fixture
def instance_file() -> Path:
    return SHARED / "instance.yaml"


@pytest.fixture
def secrets_file() -> Path:
    return SHARED / "secrets.yaml"
