"""A pytest plugin: every test marked `storing` leaves a line with its outcome and duration in
CASUS_FAULT_RESULTS, from which `python -m tests.faults.verslag` writes docs/RELIABILITY.md."""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from typing import Any

import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    rapport = yield
    pad = os.environ.get("CASUS_FAULT_RESULTS")
    if pad and rapport.when == "call" and item.get_closest_marker("storing"):
        regel = {"soort": "test", "test": item.nodeid, "uitkomst": rapport.outcome, "seconden": round(rapport.duration, 2)}
        with open(pad, "a", encoding="utf-8") as f:
            f.write(json.dumps(regel) + "\n")
    return rapport
