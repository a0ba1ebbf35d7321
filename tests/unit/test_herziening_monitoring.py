"""Revision of 2026-11-30: a monitoring oordeel counts for a planned moment only within that moment's
window (IJM-3.4.5e / GM-5.2.7d, policy `monitoring_venster_weken`): an earlier one is an extra
contact, so monitoring can never be finished in the days after the overdracht."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain import gebeurtenissen as g
from domain.beleid import HERZIENING_REGELS, HERZIENING_VELDEN, Beleid
from domain.draaiboek import Draaiboek
from domain.stap import Regelset

BELEID = Path(__file__).resolve().parents[2] / "domain" / "data" / "beleid"

JA = {"voorwaarden_voldaan": True, "directe_veiligheid": True, "stabiele_veiligheid": True, "herstel_aandacht": True}


def oordeel(nieuw: list[g.Gebeurtenis]) -> g.MonitoringOordeelGegeven:
    return next(e for e in nieuw if isinstance(e, g.MonitoringOordeelGegeven))


def ijm_overgedragen(ijmond: Regelset) -> Draaiboek:
    """Accepted on Tuesday 1 June 2027: moments 1 September 2027 and 1 June 2028."""
    d = Draaiboek(ijmond, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2027-05-31T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    d.doe("2027-05-31T11:00:00+02:00", "warme-overdracht", "veilig-thuis")
    d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d


def gm_overgedragen(gelderland: Regelset) -> Draaiboek:
    """Handed over on 1 March 2028: moments 1 June 2028 and 1 March 2029."""
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "wageningen")
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="wageningen", conclusie="geen-oordeel")
    return d


def test_IJM_3_4_5e_positive_oordelen_the_day_after_the_overdracht_meet_no_moment(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    for op in ("2027-06-02T10:00:00+02:00", "2027-06-02T11:00:00+02:00"):
        nieuw = d.doe(op, "monitoring-oordeel", "veilig-thuis", **JA)
        assert len(nieuw) == 1 and isinstance(nieuw[0], g.MonitoringOordeelGegeven)
        assert (nieuw[0].termijn_id, nieuw[0].regel) == (None, "IJM-3.4.5e")
    assert d.termijn("monitoring-3m") == ("open", "2027-09-02T00:00:00+02:00")
    assert d.termijn("monitoring-12m") == ("open", "2028-06-02T00:00:00+02:00")
    assert d.casus.monitoring


def test_IJM_3_4_5e_the_window_opens_four_weeks_before_the_moment(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    vroeg = d.doe("2027-08-03T23:59:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert oordeel(vroeg).termijn_id is None
    op_tijd = d.doe("2027-08-04T00:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert oordeel(op_tijd).termijn_id == "monitoring-3m-1"
    assert d.termijn("monitoring-3m")[0] == "voldaan" and d.termijn("monitoring-12m")[0] == "open"
    d.doe("2028-05-03T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert d.casus.monitoring  # before the 12-month window: an extra contact
    d.doe("2028-05-04T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert not d.casus.monitoring and d.termijn("monitoring-12m")[0] == "voldaan"


def test_IJM_3_4_5e_a_negative_early_oordeel_asks_for_no_further_moment(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    d.doe("2027-06-15T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **(JA | {"stabiele_veiligheid": False}))
    assert not d.casus.monitoring_besluit_nodig and d.termijn("monitoring-3m")[0] == "open"


def test_IJM_3_4_5e_a_late_oordeel_still_meets_its_lapsed_moment_late(ijmond: Regelset) -> None:
    d = ijm_overgedragen(ijmond)
    d.tik("2027-09-03T00:00:00+02:00")
    assert d.termijn("monitoring-3m")[0] == "verstreken"
    d.doe("2027-09-10T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert d.termijn("monitoring-3m")[0] == "te-laat" and d.termijn("monitoring-12m")[0] == "open"


def test_GM_5_2_7d_a_positive_oordeel_a_day_after_the_overdracht_ends_no_monitoring(gelderland: Regelset) -> None:
    d = gm_overgedragen(gelderland)
    nieuw = d.doe("2028-03-02T10:00:00+01:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert [(type(e).__name__, e.regel) for e in nieuw] == [("MonitoringOordeelGegeven", "GM-5.2.7d")]
    assert d.casus.monitoring
    assert d.termijn("monitoring-3m")[0] == "open" and d.termijn("monitoring-12m")[0] == "open"


def test_GM_5_2_7d_GM_5_2_7b_within_the_window_four_positive_answers_end_monitoring(gelderland: Regelset) -> None:
    d = gm_overgedragen(gelderland)
    d.doe("2028-05-04T00:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert not d.casus.monitoring
    assert d.termijn("monitoring-3m")[0] == "voldaan" and d.termijn("monitoring-12m")[0] == "vervallen"


def test_GM_5_2_7d_the_window_is_policy_data(gelderland: Regelset) -> None:
    beleid = gelderland.beleid.model_copy(update={"monitoring_venster_weken": 1})
    d = gm_overgedragen(gelderland.model_copy(update={"beleid": beleid}))
    d.doe("2028-05-24T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert d.casus.monitoring  # 25 May is the first day of a one-week window before 1 June
    d.doe("2028-05-25T00:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert not d.casus.monitoring


# The content hashes the policy files had before the revision of 2026-11-30 (recorded in every
# MeldingOntvangen of a casus begun under them; `casus herstel` compares them).
HASH_VOOR_HERZIENING = {
    "ijmond-2024": "d85372e55aad2e205caa4744a300eac24afd033fde499f6ae17473aa6f0052b3",
    "gelderland-midden-2019": "488cfb0fd5e6fae9cd19b26c17265cd0c76801c05575ae654d49b321f411696e",
}


@pytest.mark.parametrize("beleid_id", sorted(HASH_VOOR_HERZIENING))
def test_GM_5_2_7d_IJM_3_4_5e_a_policy_written_before_the_revision_keeps_its_hash_and_has_no_window(beleid_id: str) -> None:
    inhoud = yaml.safe_load((BELEID / f"{beleid_id}.yaml").read_text(encoding="utf-8"))
    for veld in HERZIENING_VELDEN:
        inhoud.pop(veld, None)
    # GM-5.3c gave an existing rule (`opnieuw_melden`) a value in Gelderland-Midden.
    inhoud["regels"] = {k: v for k, v in inhoud["regels"].items() if k not in HERZIENING_REGELS and v != "GM-5.3c"}
    oud = Beleid.model_validate(inhoud)
    assert oud.inhoud_hash == HASH_VOOR_HERZIENING[beleid_id]
    assert oud.monitoring_venster_weken is None and oud.formulier_direct_moment == "besluit"
    assert oud.warme_overdracht == "bij-voorkeur" and oud.brief_einde_bemoeienis is None
    assert not oud.herzien and Beleid.model_validate(yaml.safe_load((BELEID / f"{beleid_id}.yaml").read_text(encoding="utf-8"))).herzien


def test_IJM_3_4_5e_IJM_3_4_2_a_casus_under_a_policy_from_before_the_revision_decides_as_it_did(ijmond: Regelset) -> None:
    """A running casus keeps the policy it started under, so replaying its history decides the same."""
    inhoud = ijmond.beleid.model_dump(mode="json")
    for veld in HERZIENING_VELDEN:
        inhoud.pop(veld)
    oud = ijmond.model_copy(update={"beleid": Beleid.model_validate(inhoud)})
    d = Draaiboek(oud, "2027-03-25T10:00:00+01:00", "velsen")
    d.doe("2027-03-31T15:00:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2027-05-31T10:00:00+02:00", "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld")
    nieuw = d.doe("2027-06-01T10:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    assert not any(isinstance(e, g.MonitoringGestart) for e in nieuw)
    d.doe("2027-06-02T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    assert d.termijn("monitoring-3m")[0] == "voldaan"
