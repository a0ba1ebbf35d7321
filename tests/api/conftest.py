"""Every test states its issuer settings itself: none leak in from the environment running the tests."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _geen_oidc_omgeving(monkeypatch: pytest.MonkeyPatch) -> None:
    for naam in [n for n in os.environ if n.startswith("CASUS_OIDC_")]:
        monkeypatch.delenv(naam)
