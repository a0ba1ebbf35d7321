"""Forgetting a household appends `HuishoudenVergeten` to its casus streams outside the workflow
(eventstore/vergeten.py); a running casus workflow catches up on it at its next decision, whether
that is an action or its clock."""

from __future__ import annotations

import asyncio

from domain import gebeurtenissen as g
from domain.draaiboek import t, verzoek
from domain.partijen import Actor
from domain.stap import Regelset
from eventstore import vergeten
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand
from workflows.casus import Resultaat


async def test_a_running_casus_catches_up_on_the_erasure_of_its_household(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    casus = await toestand(handle)
    uitslag = await asyncio.to_thread(
        vergeten.leg_vast, bank.store, "HH-test", 1, "verzoek betrokkene", Actor(partij="veilig-thuis", medewerker="anna")
    )
    assert uitslag.nieuw == [casus.casus_id]
    beoordeling = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    resultaat = await asyncio.wait_for(handle.execute_update("actie", beoordeling, result_type=Resultaat), 30)
    stream = bank.store.read(casus.casus_id)
    assert resultaat.versie == len(stream) == bank.store.version(casus.casus_id) and bank.store.verify(casus.casus_id) == []
    typen = [e.type for e in stream]
    assert typen.count("HuishoudenVergeten") == 1 and typen.index("HuishoudenVergeten") == casus.versie
    assert "BeoordelingAfgerond" in resultaat.gebeurtenissen


async def test_a_casus_clock_that_meets_the_erasure_catches_up_and_still_passes_it_on(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    casus = await toestand(handle)
    await asyncio.to_thread(vergeten.leg_vast, bank.store, "HH-test", 1, "verzoek betrokkene", Actor(partij="veilig-thuis"))
    # Its sixth working day still passes it to Veilig Thuis (IJM-3.1d), after the erasure in the stream.
    await bank.klok_naar(t("2027-04-06T00:00:30+02:00"))
    later = await toestand(handle, tot_versie=casus.versie + 2)
    stream = bank.store.read(casus.casus_id)
    assert later.houder == "veilig-thuis" and later.versie == len(stream) and bank.store.verify(casus.casus_id) == []
    assert isinstance(stream[casus.versie], g.HuishoudenVergeten)
