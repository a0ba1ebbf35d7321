"""Who must act on a deadline, and the beoordeling cycle it belongs to: not always who holds the
casus. While the melder holds zicht op veiligheid (IJM-3.1c), or a team holds it in a new cycle
(IJM-3.3.6, IJM-3.7, GM-5.3c), it is Veilig Thuis that must finish the beoordeling."""

from __future__ import annotations

from domain.partijen import GEMEENTE, VEILIG_THUIS, team_id
from domain.toestand import STATUS_BIJ_AFLOOP, Casus

# Informative periods that simply end: nobody acts on them (IJM-3.1b crisis, GM-6a huisverbod-einde).
INFORMATIEF = frozenset(soort for soort, status in STATUS_BIJ_AFLOOP.items() if status == "afgelopen")
# Deadlines Veilig Thuis meets: the beoordeling (IJM-3.3.1a / GM-5.1.1), the sixth working day, which
# only Veilig Thuis's taking the casus meets before it passes by itself (IJM-3.1d), informing the team
# of a huisverbod (GM-6b) and the advice on day 8 (GM-6c); every monitoring moment below.
VEILIG_THUIS_TERMIJNEN = frozenset(
    {"veiligheidsbeoordeling", "verantwoordelijkheid-vt", "huisverbod-lokaal-team-informeren", "huisverbod-advies"}
)
MONITORING = "monitoring-"  # IJM-3.4.5a/b / GM-5.2.7: monitoring-3m, -12m, -vervolg: Veilig Thuis's oordeel


def aan_zet(soort: str, casus: Casus) -> tuple[str, ...]:
    """The parties that must act to meet a deadline of this kind in this casus; none for an
    informative period. A kind this module does not know falls to the holder."""
    if soort in INFORMATIEF:
        return ()
    if soort in VEILIG_THUIS_TERMIJNEN or soort.startswith(MONITORING):
        return (VEILIG_THUIS,)
    if soort == "contact-gezin":
        # IJM-3.3.2c / GM-3a / GM-3b, IJM-3.4.3 / GM-5.2.3: the team that received the data (T-3b).
        return _team(casus) or _houder(casus)
    if soort == "gemeente-reactie":
        return (GEMEENTE,)  # IJM-3.8b: the gemeente informs Veilig Thuis and the team within 6 weeks
    if soort == "huisverbod-gesprek":
        return (VEILIG_THUIS, *_team(casus))  # GM-6d: Veilig Thuis and the team, together with the household
    return _houder(casus)


def _houder(casus: Casus) -> tuple[str, ...]:
    return (casus.houder,) if casus.houder else ()


def _team(casus: Casus) -> tuple[str, ...]:
    """The lokaal team of the casus: the one holding it, else the last that held it, else the one a
    dienst named."""
    teams = [i.partij for i in casus.verantwoordelijkheid if team_id(i.partij)]
    if casus.houder and team_id(casus.houder):
        return (casus.houder,)
    if teams:
        return (teams[-1],)
    return (casus.dienst_team,) if casus.dienst_team else ()


def cycli(casus: Casus) -> dict[str, int]:
    """The beoordeling cycle (`Casus.cyclus`) of each deadline, by its id. Every cycle opens with its
    own veiligheidsbeoordeling (the melding; IJM-3.3.6, IJM-3.7, GM-5.3c), and a casus keeps its
    deadlines in the order they were set."""
    cyclus, uit = 1, {}
    gezien = False
    for termijn in casus.termijnen:
        if termijn.soort == "veiligheidsbeoordeling":
            cyclus += gezien
            gezien = True
        uit[termijn.id] = cyclus
    return uit
