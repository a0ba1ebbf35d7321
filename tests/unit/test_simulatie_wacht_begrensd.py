"""Issue 12: the simulator never waits for ever. A step the workflow does not answer within
ANTWOORD_S stops the run with an error that says what it waited for, exit 3 from the CLI."""

from __future__ import annotations

import asyncio

import pytest

from casus_cli.fouten import ONBEREIKBAAR
from casus_cli.main import _cli_fout
from service import simulatie
from service.simulatie import SimulatieVastgelopenError


async def test_a_wait_past_its_bound_stops_naming_what_it_waited_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulatie, "ANTWOORD_S", 0.05)
    with pytest.raises(SimulatieVastgelopenError, match=r"step 4 \(contact-gelegd\)"):
        await simulatie._binnen(asyncio.sleep(5), "step 4 (contact-gelegd)")


async def test_a_wait_within_its_bound_gives_its_result() -> None:
    async def antwoord() -> int:
        return 42

    assert await simulatie._binnen(antwoord(), "an answer") == 42


def test_a_stopped_simulation_is_exit_3_with_its_message() -> None:
    fout = _cli_fout(SimulatieVastgelopenError("the casus workflow did not finish step 4 within 60 s; stopped"))
    assert fout.exit_code == ONBEREIKBAAR
    assert "step 4" in fout.tekst()
