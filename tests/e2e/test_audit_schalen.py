"""The audit page at three spans of a casus (a week, a year, two years with 40 facts), built
through the domain's own actions and rendered by headless Chromium. What the reader sees is
measured in the rendered page: the axis's ticks in order with no label over another and the axis
ending at now or at the close, no rule label over another, no deadline mark over another, every
interval at least its minimum width, a legend for every status drawn, and each fact's details.
A screenshot of each is kept in $CASUS_ARTEFACTEN (default: the test's tmp dir)."""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from domain.draaiboek import Draaiboek, t
from domain.stap import Regelset
from domain.tijd import ZONE, lokaal
from eventstore.store import EventStore
from eventstore.views import open_views
from projections.alle import alle
from projections.runner import ProjectionRunner
from projections.verantwoordelijkheid import Interval, tijdlijn
from runtime.settings import Settings
from service.audit_feiten import ENVELOP
from service.audit_html import pagina
from service.audit_tijdlijn import MIN_BREEDTE
from tests.e2e.test_audit_html import chromium, meet, schermafdruk

GEHEIM = "GEHEIM-vader-slaat-de-kinderen"
JA: dict[str, Any] = {"voorwaarden_voldaan": True, "directe_veiligheid": True, "stabiele_veiligheid": True, "herstel_aandacht": True}
NEE: dict[str, Any] = JA | {"stabiele_veiligheid": False}
Vak = list[float]


def week(ijmond: Regelset, _: Regelset) -> tuple[Draaiboek, str]:
    """IJmond, eight days: the assessment lapses at the same moment as the melder's six days (two
    marks at one x), Veilig Thuis holds it by law for under an hour, then the team accepts."""
    d = Draaiboek(ijmond, "2027-03-30T10:00:00+02:00", "velsen", inhoud=GEHEIM)
    d.tik("2027-04-07T00:30:00+02:00")
    d.doe("2027-04-07T00:45:00+02:00", "beoordeling-afronden", "veilig-thuis", besluit="direct-overdracht", team="socius-md")
    d.doe("2027-04-07T01:00:00+02:00", "overdracht-accepteren", "lokaal-team:socius-md")
    return d, "2027-04-07T12:00:00+02:00"


def jaar(_: Regelset, gelderland: Regelset) -> tuple[Draaiboek, str]:
    """Gelderland-Midden, a year from melding to close: a dienst, monitoring, stable safety; read
    two months after the close."""
    d = Draaiboek(gelderland, "2028-01-10T09:00:00+01:00", "wageningen", inhoud=GEHEIM)
    d.doe("2028-01-12T10:00:00+01:00", "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe("2028-03-01T10:00:00+01:00", "dienst-afronden", "veilig-thuis", team="wageningen", conclusie="geen-oordeel")
    d.doe("2028-03-02T10:00:00+01:00", "warme-overdracht", "veilig-thuis")
    d.tik("2028-03-17T10:00:00+01:00")
    d.doe("2028-03-18T10:00:00+01:00", "contact-gelegd", "lokaal-team:wageningen")
    d.doe("2028-03-20T10:00:00+01:00", "plan-vastleggen", "lokaal-team:wageningen", plan=GEHEIM)
    d.doe("2028-05-30T10:00:00+02:00", "monitoring-oordeel", "veilig-thuis", **JA)
    d.doe("2028-09-05T10:00:00+02:00", "stabiele-veiligheid", "lokaal-team:wageningen", risicofactoren_aangepakt=True, herstel_gestart=True)
    d.doe("2029-01-08T10:00:00+01:00", "afsluiten", "lokaal-team:wageningen", reden=GEHEIM)
    return d, "2029-03-01T10:00:00+01:00"


def om(dag: str, tijd: str = "10:00") -> str:
    """A local time in Amsterdam as ISO 8601 with its offset (summer or winter)."""
    return datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=ZONE).isoformat()


def twee_jaar(ijmond: Regelset, _: Regelset) -> tuple[Draaiboek, str]:
    """IJmond, two years and 40 facts: a dienst, eight plan versions, an incident, monitoring
    prolonged and its further moment lapsed; still open."""
    team = "lokaal-team:socius-md"
    d = Draaiboek(ijmond, om("2027-03-25"), "velsen", inhoud=GEHEIM)
    d.doe(om("2027-03-31", "15:00"), "beoordeling-afronden", "veilig-thuis", besluit="voorwaarden-en-vervolg")
    d.doe(om("2027-05-31"), "dienst-afronden", "veilig-thuis", team="socius-md", conclusie="vastgesteld", voorwaarden=[GEHEIM])
    d.doe(om("2027-05-31", "11:00"), "warme-overdracht", "veilig-thuis")
    d.doe(om("2027-06-01"), "overdracht-accepteren", team)
    d.tik(om("2027-06-17", "09:00"))
    d.doe(om("2027-06-18"), "contact-gelegd", team)
    plan = iter(range(1, 9))
    for dag in ("2027-06-20", "2027-08-15"):
        d.doe(om(dag), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.doe(om("2027-08-30"), "monitoring-oordeel", "veilig-thuis", **NEE)
    d.doe(om("2027-10-10"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.doe(om("2027-11-02"), "incident", team, omschrijving=GEHEIM)
    d.doe(om("2027-11-10"), "ondersteuning-vt", "veilig-thuis", vorm="casusoverleg")
    d.doe(om("2028-01-15"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.doe(om("2028-02-20"), "ondersteuning-vt", team, vorm="netwerkgesprek")
    d.doe(om("2028-04-10"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.doe(om("2028-05-30"), "monitoring-oordeel", "veilig-thuis", **NEE)
    d.doe(om("2028-05-31"), "monitoring-verlengen", "veilig-thuis", tot="2028-11-30")
    d.doe(om("2028-07-01"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.doe(om("2028-08-15"), "incident", "veilig-thuis", omschrijving=GEHEIM)
    d.doe(om("2028-10-01"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.tik(om("2028-12-02"))
    d.doe(om("2029-01-10"), "plan-vastleggen", team, plan=f"{GEHEIM} {next(plan)}")
    d.tik(om("2029-03-20"))
    return d, om("2029-03-25")


def intervallen(d: Draaiboek, tmp_path: Path) -> list[Interval]:
    """The responsibility timeline as the audit reads it: from the read model over the stored events."""
    store = EventStore.open(Settings(state_dir=tmp_path, eventstore="sqlite"))
    try:
        store.append(d.casus.casus_id, 0, d.gebeurtenissen)
        views = open_views(store.infrastructure)
        ProjectionRunner(store, views, alle()).catch_up()
        return tijdlijn(views, d.casus.casus_id)
    finally:
        store.close()


def over_elkaar(a: Vak, b: Vak, marge: float = 0.5) -> bool:
    """Whether two boxes [left, top, right, bottom] share more than a hairline."""
    return a[0] < b[2] - marge and b[0] < a[2] - marge and a[1] < b[3] - marge and b[1] < a[3] - marge


def paren_over_elkaar(vakken: list[tuple[str, Vak]]) -> list[tuple[str, str]]:
    return [(a, b) for i, (a, va) in enumerate(vakken) for b, vb in vakken[i + 1 :] if over_elkaar(va, vb)]


SCHALEN: dict[str, Callable[[Regelset, Regelset], tuple[Draaiboek, str]]] = {"week": week, "jaar": jaar, "twee-jaar": twee_jaar}
# Per span: the step of its ticks (seconds between two, roughly) and the facts it has at least.
VERWACHT = {"week": ((86400, 86400), 15), "jaar": ((28 * 86400, 31 * 86400), 25), "twee-jaar": ((89 * 86400, 92 * 86400), 40)}


@pytest.mark.parametrize("schaal", list(SCHALEN))
def test_the_audit_page_reads_at_every_span(schaal: str, tmp_path: Path, ijmond: Regelset, gelderland: Regelset) -> None:
    browser = chromium()
    d, nu = SCHALEN[schaal](ijmond, gelderland)
    casus = d.casus
    assert len(d.gebeurtenissen) >= VERWACHT[schaal][1]
    html = pagina(casus, intervallen(d, tmp_path), d.gebeurtenissen, t(nu))
    bestand = tmp_path / f"audit-{schaal}.html"
    bestand.write_text(html, encoding="utf-8")
    assert "<script" not in html and GEHEIM not in html

    maten = meet(browser, bestand, tmp_path / "profiel")
    artefacten = Path(os.environ.get("CASUS_ARTEFACTEN") or tmp_path)
    artefacten.mkdir(parents=True, exist_ok=True)
    png = artefacten / f"audit-{schaal}.png"
    schermafdruk(browser, bestand, png, tmp_path / "profiel", int(maten["hoogte"]) + 40)
    assert png.stat().st_size > 20_000

    einde = casus.afgesloten_op or t(nu)
    _de_as(maten, einde, VERWACHT[schaal][0])
    _niets_over_elkaar(maten)
    _legenda_en_termijnen(maten, casus.termijnen)
    _de_gebeurtenissen(maten, d)


def _de_as(maten: dict[str, Any], einde: datetime, stap: tuple[int, int]) -> None:
    """Ticks in order at a step fit for the span, labels apart, the axis ending at now or the close."""
    tikken, strepen = maten["tikken"], maten["strepen"]
    momenten = [datetime.fromisoformat(k["t"]) for k in strepen]
    assert len(tikken) >= 4, tikken
    assert momenten == sorted(momenten) and [k["x"] for k in strepen] == sorted(k["x"] for k in strepen)
    assert [k["vak"][0] for k in tikken] == sorted(k["vak"][0] for k in tikken)
    tussen = {round((b - a).total_seconds()) for a, b in itertools.pairwise(momenten)}
    assert all(stap[0] - 3600 <= s <= stap[1] + 3600 for s in tussen), tussen  # DST moves a day by an hour
    assert paren_over_elkaar([(k["tekst"], k["vak"]) for k in tikken]) == []
    assert maten["einde"]["t"] == lokaal(einde), "the axis ends at now, or at the close"
    assert all(m <= einde for m in momenten)
    rechts = maten["einde"]["x"]
    assert abs(maten["as"][2] - rechts) < 0.6, "the axis line stops at its end"
    assert all(k["vak"][2] <= maten["svg"][2] for k in tikken)
    assert all(i[2] <= rechts + 0.6 for i in maten["intervallen"]), "no interval runs past the axis's end"
    assert maten["einde"]["vak"][2] <= maten["svg"][2] + 0.5 and not over_elkaar(maten["einde"]["vak"], maten["begin"]["vak"])


def _niets_over_elkaar(maten: dict[str, Any]) -> None:
    regels = [(r["tekst"], r["vak"]) for r in maten["regels"]]
    assert regels, "the transfers' rules are labelled"
    assert paren_over_elkaar(regels) == [], "two rule labels overlap"
    merken = [(f"{m['nummer']} {m['status']}", m["vak"]) for m in maten["merken"]]
    assert paren_over_elkaar(merken) == [], "two deadline marks overlap"
    assert all(i[2] - i[0] >= MIN_BREEDTE - 0.01 for i in maten["intervallen"]), maten["intervallen"]


def _legenda_en_termijnen(maten: dict[str, Any], termijnen: tuple[Any, ...]) -> None:
    getekend = {m["status"] for m in maten["merken"]}
    assert getekend == {tm.status for tm in termijnen}
    assert getekend <= set(maten["legenda"]), "every status drawn is in the legend"
    assert {"interval", "overdracht"} <= set(maten["legenda"])
    # Each mark's number leads to its row in the deadline table, which names its kind, status and rule.
    rijen = {r[0]: r for r in maten["termijnen"]}
    for m in maten["merken"]:
        tm = termijnen[int(m["nummer"]) - 1]
        assert rijen[m["nummer"]][1:] == [tm.soort, rijen[m["nummer"]][2], tm.status, rijen[m["nummer"]][4], tm.regel]
        assert re.fullmatch(rf"{m['nummer']}›?", m["tekst"])


def _de_gebeurtenissen(maten: dict[str, Any], d: Draaiboek) -> None:
    rijen = maten["gebeurtenissen"]
    assert len(rijen) == len(d.gebeurtenissen)
    for rij, e in zip(rijen, d.gebeurtenissen, strict=True):
        assert rij[1] == e.type
        tekst = rij[-1]
        assert not re.search(r"\b(True|False|None)\b|[\[\]{}]|\(\)", tekst), (e.type, tekst)
        assert GEHEIM not in tekst
        verwacht = {
            "MeldingOntvangen": [f"gemeente: {d.casus.gemeente}", f"huishouden: {d.casus.huishouden}", "acuut: nee", "inhoud: (verzegeld)"],
            "VerantwoordelijkheidOvergedragen": [f"naar: {getattr(e, 'naar', '')}"],
            "BeoordelingAfgerond": [f"besluit: {getattr(e, 'besluit', '')}"],
            "TermijnVoldaan": [f"termijn: {getattr(e, 'termijn_id', '')}", "te laat: "],
            "TermijnGesteld": [f"termijn: {getattr(e, 'termijn_id', '')}", "uiterlijk: "],
            "PlanVastgelegd": ["versie: ", "plan: (verzegeld)"],
            "IncidentGeregistreerd": ["omschrijving: (verzegeld)"],
            "Geregistreerd": [f"actie: {getattr(e, 'actie', '')}"],
            "MonitoringOordeelGegeven": [f"stabiele veiligheid: {'ja' if getattr(e, 'stabiele_veiligheid', None) else 'nee'}"],
        }.get(e.type, [])
        for stuk in verwacht:
            assert stuk in tekst, (e.type, stuk, tekst)
        assert tekst == "geen verdere gegevens" if set(type(e).model_fields) <= ENVELOP else tekst, f"{e.type} shows no details"
    if (van := next((e for e in d.gebeurtenissen if getattr(e, "van", None)), None)) is not None:
        rij = rijen[d.gebeurtenissen.index(van)]
        assert f"van: {getattr(van, 'van', '')} · naar: " in rij[-1]
