"""Gateways defined in cells are served while the pipeline runs, on loopback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from ls_workbench.errors import WorkbenchError
from tests.notebook.conftest import UPPER


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return json.loads(response.read())


def test_produce_gateway_feeds_the_pipeline_and_shows_its_url(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="questions", output="answers", code=UPPER)
    wb.define_gateways("- id: ask\n  type: produce\n  topic: questions\n")
    with pytest.raises(WorkbenchError, match="not running"):
        wb.gateway_url("ask")
    wb.start()

    url = wb.gateway_url("ask")
    assert url.startswith("http://127.0.0.1:") and url.endswith(
        "/api/gateways/produce/default/test-app/ask"
    )
    assert post(url, {"key": "k", "value": "hello"})["status"] == "OK"
    assert wb.collect("answers", count=1).values() == ["HELLO"]
    assert "ws://127.0.0.1:" in wb.status().gateways["ask"]


def test_gateways_redefined_while_running_are_served_at_once(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="questions", output="answers", code=UPPER)
    wb.define_gateways("- id: ask\n  type: produce\n  topic: questions\n")
    wb.start()
    wb.define_gateways("- id: ask-too\n  type: produce\n  topic: questions\n")
    assert post(wb.gateway_url("ask-too"), {"value": "again"})["status"] == "OK"
    assert wb.collect("answers", count=1).values() == ["AGAIN"]


def test_stop_closes_the_gateway(workbench):
    wb = workbench()
    wb.define_agent("upper", "python-processor", input="questions", output="answers", code=UPPER)
    wb.define_gateways("- id: ask\n  type: produce\n  topic: questions\n")
    wb.start()
    url = wb.gateway_url("ask")
    wb.stop()
    with pytest.raises(urllib.error.URLError):
        post(url, {"value": "nobody listens"})
