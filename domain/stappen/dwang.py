"""Who initiates a coercive measure (IJM-3.6; GM-5.3b, rev. 2026-11-30): Veilig Thuis while it is
actively involved, the lokaal team after the overdracht (IJM-3.6b: with information from its own
contacts), or both together after the besluit; under GM-5.3b (policy `vtb_na_overdracht`) a VTB
after the overdracht is always a jointly supported decision on Veilig Thuis's initiative."""

from __future__ import annotations

from domain import gebeurtenissen as g
from domain import opdrachten as o
from domain.gebeurtenissen import Gebeurtenis
from domain.partijen import VEILIG_THUIS
from domain.stap import Stap, vereis_partij
from domain.weigering import Weigering

ACTIEF_BETROKKEN = ("beoordeling", "overdracht-aangeboden", "dienst")
# A request to the Raad voor de Kinderbescherming / Beschermingstafel (VTB, VTO): GM-5.3b's "VTB".
RAAD = ("vtb", "vto")


def dwangmaatregel(s: Stap, d: o.Dwangmaatregel) -> list[Gebeurtenis]:
    if d.gezamenlijk:
        return _gezamenlijk(s, d)
    regels = s.beleid.regels
    if s.casus.fase in ACTIEF_BETROKKEN:
        # IJM-3.6a: Veilig Thuis initiates during its active involvement, from melding until overdracht.
        vereis_partij(s, VEILIG_THUIS, regels.dwang, f"dwangmaatregel in phase '{s.casus.fase}'")
        return [_geregistreerd(s, regels.dwang_vt or regels.dwang, d, (VEILIG_THUIS,))]
    if d.soort in RAAD and s.beleid.vtb_na_overdracht == "gezamenlijk-op-initiatief-vt":
        raise Weigering(
            regels.dwang_gezamenlijk or regels.dwang,
            f"a {d.soort} after the overdracht is a jointly supported decision on Veilig Thuis's initiative: "
            f"{VEILIG_THUIS} files it with gezamenlijk: true, naming the team it agreed with",
            veld="gezamenlijk" if s.actor.partij == VEILIG_THUIS else "als",
        )
    team = s.houdend_team
    vereis_partij(s, team, regels.dwang, f"dwangmaatregel in phase '{s.casus.fase}' (after the overdracht)")
    assert team is not None
    if regels.dwang_eigen_contact and team not in s.casus.contact_door:
        raise Weigering(
            regels.dwang_eigen_contact,
            "the team initiates after the overdracht on information from its own contacts with the household: "
            "record contact-gelegd first (or go jointly with Veilig Thuis, gezamenlijk: true)",
        )
    return [_geregistreerd(s, regels.dwang_team or regels.dwang, d, (team,))]


def _gezamenlijk(s: Stap, d: o.Dwangmaatregel) -> list[Gebeurtenis]:
    """IJM-3.6c: Veilig Thuis and the team may go together in any phase after the besluit; both are
    recorded as initiators. GM-5.3b: after the overdracht Veilig Thuis takes that step."""
    c = s.casus
    regel = s.regel(s.beleid.regels.dwang_gezamenlijk, "a joint coercive measure (gezamenlijk)")
    if c.eerste_besluit is None:
        raise Weigering(regel, "the joint route is open after the besluit of the beoordeling", veld="gezamenlijk")
    team = s.houdend_team or c.aangeboden_aan or c.dienst_team
    if team is None:
        raise Weigering(regel, "no lokaal team is involved in the casus to go jointly with", veld="gezamenlijk")
    op_initiatief_vt = d.soort in RAAD and s.beleid.vtb_na_overdracht == "gezamenlijk-op-initiatief-vt"
    vereis_partij(s, VEILIG_THUIS if op_initiatief_vt else (VEILIG_THUIS, team), regel, f"a joint {d.soort}")
    return [_geregistreerd(s, regel, d, (VEILIG_THUIS, team))]


def _geregistreerd(s: Stap, regel: str, d: o.Dwangmaatregel, initiatiefnemers: tuple[str, ...]) -> g.Geregistreerd:
    velden: dict[str, str | bool] = {"soort": d.soort, "gezamenlijk": d.gezamenlijk, "initiatiefnemers": ",".join(initiatiefnemers)}
    team = s.houdend_team
    if d.soort == "vtb" and s.beleid.regels.casusregie and team is not None:
        velden["casusregie"] = team  # GM-5.3b: after a VTB the lokaal team keeps casusregie
    return s.maak(g.Geregistreerd, regel, actie="dwangmaatregel", velden=velden)
