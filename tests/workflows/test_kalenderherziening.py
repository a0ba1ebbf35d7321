"""T-6 in a running casus: a later calendar version re-sets the provisional deadlines it moves as
recorded facts, and the durable timer follows the re-set deadline."""

from __future__ import annotations

import uuid
from datetime import date

from casus_cli.kalender import Herzien, herzie
from domain import gebeurtenissen as g
from domain.draaiboek import t
from domain.stap import Regelset
from domain.tijd import Besluitdag
from tests.workflows.conftest import Casusbank
from tests.workflows.test_casus_workflow import toestand
from workflows.casus import CasusWorkflow

# Friday 22 December 2028: working day 6 starts on Thursday 4 January 2029 with the shipped calendar
# (bekend_tot 2028-12-31), on Friday 5 January once 2 January 2029 is a decree day.
ONTVANGEN = t("2028-12-22T10:00:00+01:00")


async def test_T_6_a_new_calendar_re_sets_a_provisional_deadline_in_a_running_casus_and_its_timer_follows(
    bank: Casusbank, ijmond: Regelset
) -> None:
    handle = await bank.meld(ijmond, ONTVANGEN, "velsen")
    await bank.klok_naar(t("2028-12-27T09:00:00+01:00"))
    casus = await toestand(handle)
    termijn = casus.termijn("verantwoordelijkheid-vt")
    assert termijn is not None and termijn.voorlopig and termijn.uiterlijk == t("2029-01-04T00:00:00+01:00")

    besluit = Besluitdag(datum=date(2029, 1, 2), naam="dinsdag na Nieuwjaarsdag (test)", bron="Besluit gelijkstelling (test)")
    nieuw = ijmond.kalender.model_copy(
        update={"versie": "2029.1", "besluitdagen": (*ijmond.kalender.besluitdagen, besluit), "bekend_tot": date(2029, 12, 31)}
    )
    # `casus kalender` gives it to every running casus; one without a running workflow is passed over.
    assert await herzie(bank.env.client, casus.casus_id, nieuw) == Herzien(casus.casus_id, "herzien", 2)
    assert (await herzie(bank.env.client, str(uuid.uuid4()), nieuw)).uitkomst == "loopt-niet"
    resultaat = await handle.execute_update(CasusWorkflow.kalender, nieuw)  # a retry records nothing twice
    assert resultaat.gebeurtenissen == ("TermijnHerzien", "TermijnHerzien")
    assert len(bank.store.read(casus.casus_id)) == resultaat.versie

    await bank.klok_naar(t("2029-01-04T12:00:00+01:00"))
    assert (await toestand(handle)).houder == "melder"
    await bank.klok_naar(t("2029-01-05T00:00:30+01:00"))
    casus = await toestand(handle, tot_versie=resultaat.versie + 3)
    assert casus.houder == "veilig-thuis" and casus.verantwoordelijkheid[-1].van == t("2029-01-05T00:00:00+01:00")
    herzien = [e for e in bank.store.read(casus.casus_id) if isinstance(e, g.TermijnHerzien)]
    assert {(h.termijn_id, h.uiterlijk, h.kalender, h.regel, h.voorlopig) for h in herzien} == {
        ("veiligheidsbeoordeling-1", t("2029-01-05T00:00:00+01:00"), "2029.1", "T-6", False),
        ("verantwoordelijkheid-vt-1", t("2029-01-05T00:00:00+01:00"), "2029.1", "T-6", False),
    }
