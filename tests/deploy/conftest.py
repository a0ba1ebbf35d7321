"""The Compose file, resolved once per test session."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.bestanden import compose_config


@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    return compose_config()
