"""Attack (issue 11): a caseworker's own key (`--sleutel`) used again for a different request. A
retry of the same request must find what the first try did; a different request under the same key
must not be answered as if it were recorded (the idempotency-key rule: same key, other content,
refuse). Now the second melding is answered with the first casus (exit 0, its id printed) and the
second action with the first action's events, though neither second request is stored anywhere."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from domain.draaiboek import t, verzoek
from domain.gebeurtenissen import Melder
from domain.opdrachten import Melden
from domain.partijen import Actor
from domain.stap import Regelset
from domain.weigering import Weigering
from runtime.settings import Settings
from service.fouten import DienstFout
from service.sturen import start_casus, voer_uit
from tests.workflows import conftest as tijdsprong
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand

pytestmark = pytest.mark.storing

# The time-skipping server and a worker with its own SQLite store (tests/workflows/conftest.py).
env = tijdsprong.env
bank = tijdsprong.bank


def _melden(casus_id: str, huishouden: str, gemeente: str) -> Melden:
    return Melden(
        casus_id=casus_id, gemeente=gemeente, huishouden=huishouden, ontvangen=t("2027-03-25T10:00:00+01:00"),
        melder=Melder(), actor=Actor(partij="veilig-thuis", medewerker="test"),
    )  # fmt: skip


async def test_a_melding_key_used_again_for_another_household_is_not_answered_with_the_first_casus(
    bank: Casusbank, ijmond: Regelset
) -> None:
    # `casus melding --sleutel K` makes the casus id uuid5(beleid, K): the same K is the same id.
    casus_id = str(uuid.uuid4())
    settings = Settings(task_queue=bank.task_queue)
    eerste = await asyncio.wait_for(start_casus(bank.env.client, settings, _melden(casus_id, "HH-eerste", "velsen"), ijmond), 30)
    bank.gestart.append(bank.env.client.get_workflow_handle(f"casus-{casus_id}"))
    assert eerste.huishouden == "HH-eerste"
    try:
        tweede = await asyncio.wait_for(start_casus(bank.env.client, settings, _melden(casus_id, "HH-tweede", "beverwijk"), ijmond), 30)
    except DienstFout:
        return  # refused, naming the key: the caseworker learns the second melding was not recorded
    pytest.fail(
        f"the melding for household HH-tweede in beverwijk was answered with casus {tweede.casus_id} of household "
        f"{tweede.huishouden} in {tweede.gemeente}: the CLI prints that id and exits 0, and the second melding is stored nowhere"
    )


async def test_an_action_key_used_again_for_another_action_is_not_answered_as_recorded(bank: Casusbank, ijmond: Regelset) -> None:
    handle = await bank.meld(ijmond, t("2027-03-25T10:00:00+01:00"), "velsen")
    await bank.klok_naar(t("2027-03-26T10:00:00+01:00"))
    casus = await toestand(handle)
    eerste = await voer_uit(handle, verzoek("spoed-vastgesteld", "veilig-thuis"), "K-1", lambda: bank.store)
    assert "SpoedVastgesteld" in eerste.gebeurtenissen
    tweede_verzoek = verzoek("beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    try:
        tweede = await asyncio.wait_for(voer_uit(handle, tweede_verzoek, "K-1", lambda: bank.store), 30)
    except (Weigering, DienstFout):
        return  # refused: the key belongs to another action
    stream = bank.store.read(casus.casus_id)
    if any(e.type == "BeoordelingAfgerond" for e in stream):
        return  # recorded after all (a key per request content): also true
    pytest.fail(
        f"'beoordeling-afronden' under the key of an earlier action was answered as recorded with that action's "
        f"events {tweede.gebeurtenissen} at version {tweede.versie}; the stream holds no BeoordelingAfgerond"
    )
