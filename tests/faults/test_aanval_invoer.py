"""Attack (issue 11, "every bad input answered with exit 1 or 2 naming the field"): the new
`--sleutel` of an action becomes the Temporal update id unchecked. Temporal refuses an update id
over its length limit, and the CLI reports that as exit 3 "niet bereikbaar: Temporal ... refused or
dropped the request (INVALID_ARGUMENT)": the stack is up, the input is at fault, and the field is
not named. Fails now; passes once the action's key is validated (length, characters) with the
other command fields."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import Client

from tests.faults.casussen import omgeving, sqlite_instellingen, start_worker
from tests.faults.onderdelen import TemporalServer
from tests.voordeur import voordeur

pytestmark = pytest.mark.storing


async def test_an_action_key_temporal_would_refuse_is_refused_naming_the_field(
    server: TemporalServer, client: Client, tmp_path: Path
) -> None:
    settings = sqlite_instellingen(server, tmp_path)
    worker = start_worker(settings)
    try:
        with voordeur(omgeving(settings), tmp_path / "api") as deur:
            r = await asyncio.to_thread(deur.casus, "melding", "--beleid", "ijmond-2024", "--gemeente", "velsen",
                                        "--huishouden", "HH-sleutel", "--als", "veilig-thuis")  # fmt: skip
            assert r.returncode == 0, r.stderr
            lang = await asyncio.to_thread(
                deur.casus, "spoed-vastgesteld", r.stdout.strip(), "--als", "veilig-thuis", "--sleutel", "k" * 5000
            )
    finally:
        worker.stop()
    assert "Traceback" not in lang.stderr
    assert lang.returncode in (1, 2) and "sleutel" in lang.stderr, f"exit {lang.returncode}: {lang.stderr.strip()}"
