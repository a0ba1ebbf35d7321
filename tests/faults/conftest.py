"""The fault tier's real parts: a Temporal dev server of the test's own and a client of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.client import Client

from tests.faults.casussen import verbind
from tests.faults.onderdelen import TemporalServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[TemporalServer]:
    s = TemporalServer(tmp_path)
    s.start()
    yield s
    s.stop()


@pytest.fixture
async def client(server: TemporalServer) -> AsyncIterator[Client]:
    yield await verbind(server)
