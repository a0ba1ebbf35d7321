"""Who may see and do what through the front door (issue 13; RULES.md "Who may do what").

The person comes from a verified token (api/identiteit.py); these rules decide what that person may
reach. A step itself is still decided by the agreements (domain/beslissen.py): a caseworker of a team
passes here for a casus offered to the team, and the decider refuses a step the team may not take.

Roles:
- `medewerker` of one party: registers meldingen and takes steps as that party; reads the state,
  the timeline and the dossier of a casus the party holds, held, or is or was offered.
- `auditor`: reads every audit timeline, dossier and the access log, each read with a stated reason;
  acts on nothing.
- `operator`: lists, deadlines, reports and a casus's state (none holds personal text); no dossier.
- `beheerder`: forgets a household, restores a workflow; reads no personal text."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, model_validator

from domain.partijen import TEAM_PREFIX, VEILIG_THUIS, Actor, stuurteken
from domain.toestand import Casus
from domain.weigering import Weigering

Rol = Literal["medewerker", "auditor", "operator", "beheerder"]
ROLLEN: tuple[Rol, ...] = get_args(Rol)

Handeling = Literal[
    "melden", "handelen", "toestand", "audit", "dossier", "lijst", "termijnen", "rapport", "huishouden", "vergeten", "herstellen",
    "inzage-log",
]  # fmt: skip

# What each role may do at all; whether it may for this casus is `betrokken` below.
MAG: dict[Rol, frozenset[Handeling]] = {
    "medewerker": frozenset({"melden", "handelen", "toestand", "audit", "dossier", "lijst"}),
    "auditor": frozenset({"toestand", "audit", "dossier", "lijst", "termijnen", "rapport", "huishouden", "inzage-log"}),
    "operator": frozenset({"toestand", "lijst", "termijnen", "rapport"}),
    "beheerder": frozenset({"vergeten", "herstellen"}),
}
MET_REDEN: frozenset[Handeling] = frozenset({"dossier"})
"""Reads of personal text: every one states why (NEN 7513), for every role."""
AUDITOR_MET_REDEN: frozenset[Handeling] = frozenset({"audit", "dossier", "huishouden"})
"""An auditor reads a person's record only with a stated reason."""
ALLEEN_EIGEN_CASUSSEN: frozenset[Handeling] = frozenset({"toestand", "audit", "dossier", "handelen"})
"""A caseworker reaches these only for a casus their party is involved in."""


class Gebruiker(BaseModel):
    """The authenticated person: a caseworker (`medewerker`) of one party, or an auditor, operator
    or beheerder, who acts for no party."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    issuer: str
    subject: str
    weergavenaam: str
    partij: str | None
    rol: Rol

    @model_validator(mode="after")
    def _partij_alleen_voor_medewerkers(self) -> Gebruiker:
        if (self.rol == "medewerker") != (self.partij is not None):
            raise ValueError("a medewerker has a party; other roles have none")
        return self

    def als_actor(self) -> Actor:
        """The actor of record for a step this person takes: the party, their name, and who vouched
        for them (the issuer and their subject there), never a typed name."""
        assert self.partij is not None, "only a medewerker acts"
        return Actor(partij=self.partij, medewerker=self.weergavenaam, issuer=self.issuer, subject=self.subject)

    @property
    def beschrijving(self) -> str:
        """`rol partij/naam (subject)` for logs and the access log."""
        wie = f"{self.partij}/{self.weergavenaam}" if self.partij else self.weergavenaam
        return f"{self.rol} {wie} ({self.subject})"


class ToegangGeweigerd(Exception):  # noqa: N818 - a refusal, as domain.weigering.Weigering
    """The person may not do this here; `reden` is a stable code, `melding` says who may."""

    def __init__(self, reden: str, melding: str, veld: str | None = None) -> None:
        super().__init__(melding)
        self.reden = reden
        self.melding = melding
        self.veld = veld


def vereis(gebruiker: Gebruiker, handeling: Handeling, reden: str | None = None) -> None:
    """Refuses a person whose role may not take this kind of step at all, or who gives no reason
    for a read that needs one."""
    if handeling not in MAG[gebruiker.rol]:
        wie = sorted(r for r, mag in MAG.items() if handeling in mag)
        jij = f"a caseworker of {gebruiker.partij} (role medewerker)" if gebruiker.partij else f"the role {gebruiker.rol}"
        raise ToegangGeweigerd(
            "rol-geweigerd", f"{jij} may not do this ({handeling}); only the role{'s' if len(wie) > 1 else ''} {', '.join(wie)} may"
        )
    nodig = handeling in MET_REDEN or (gebruiker.rol == "auditor" and handeling in AUDITOR_MET_REDEN)
    if nodig and not leesbare_reden(reden):
        raise ToegangGeweigerd(
            "reden-ontbreekt", f"reading a person's record ({handeling}) needs a stated reason; it is logged", veld="reden"
        )


def leesbare_reden(reden: str | None) -> bool:
    """A reason someone can read back in the access log: a letter or digit, no control or format characters."""
    return bool(reden) and any(c.isalnum() for c in reden or "") and stuurteken(reden or "") is None


def vereis_als(gebruiker: Gebruiker, als: str | None) -> None:
    """`--als P`: a check that the token allows acting as P, never a claim of its own."""
    if gebruiker.rol != "medewerker":
        raise ToegangGeweigerd("rol-mag-niet-handelen", f"role {gebruiker.rol} acts as no party; a caseworker's token does")
    if als is not None and als != gebruiker.partij:
        raise ToegangGeweigerd("partij-geweigerd", f"this token acts as {gebruiker.partij!r} only, not as {als!r}", veld="als")


def _als_partij(waarde: str | None) -> str | None:
    if not waarde:
        return None
    return waarde if ":" in waarde or waarde == VEILIG_THUIS else f"{TEAM_PREFIX}{waarde}"


def betrokken_partijen(casus: Casus) -> frozenset[str]:
    """Every party that holds, held, is or was offered the casus, or works on it: Veilig Thuis, which
    receives every melding, and each team named in the record."""
    namen: Iterable[str | None] = (
        VEILIG_THUIS,
        *(i.partij for i in casus.verantwoordelijkheid),
        *(_als_partij(t) for t in (casus.aangeboden_aan, casus.geaccepteerd_door, casus.dienst_team, casus.geweigerd_door)),
        *(_als_partij(t) for t in casus.contact_door),
        _als_partij(casus.casusregie),
    )
    return frozenset(n for n in namen if n)


def niet_betrokken(casus: Casus, actor: Actor, regel: str) -> Weigering | None:
    """RULES.md "Who may do what": a team acts only on casussen offered or transferred to it. The
    workflow checks it for every step after the agreements accepted it, so no path around the API
    reaches a casus either."""
    if not actor.partij.startswith(TEAM_PREFIX) or actor.partij in betrokken_partijen(casus):
        return None
    return Weigering(
        regel,
        f"casus {casus.casus_id} was never offered to or held by {actor.partij}; a team acts only on casussen offered or transferred to it",
        veld="als",
    )


def lezers_van_teksten(casus: Casus, formulier_direct_moment: str) -> frozenset[str]:
    """Who may read a casus's personal texts: the parties that hold or held it (Veilig Thuis among
    them) and a team that accepted it; a team it is only offered to once the policy hands the data
    over at the decision (GM: `besluit`; IJM-3.3.1d: only at acceptance). A team that declined gets
    no data (IJM-3.3.1d, rev. 2026-11-30)."""
    namen: Iterable[str | None] = (
        VEILIG_THUIS,
        *(i.partij for i in casus.verantwoordelijkheid),
        _als_partij(casus.geaccepteerd_door),
        _als_partij(casus.aangeboden_aan) if formulier_direct_moment == "besluit" else None,
    )
    return frozenset(n for n in namen if n)


def vereis_lezer_van_teksten(gebruiker: Gebruiker, casus: Casus, formulier_direct_moment: str) -> None:
    if gebruiker.rol == "medewerker" and gebruiker.partij not in lezers_van_teksten(casus, formulier_direct_moment):
        raise ToegangGeweigerd(
            "teksten-niet-voor-partij",
            f"the personal texts of casus {casus.casus_id} are for the parties that hold or held it; {gebruiker.partij} "
            "does not (a team gets them when it accepts the casus, IJM-3.3.1d; a team that declined gets none)",
        )


def vereis_betrokken(gebruiker: Gebruiker, handeling: Handeling, casus: Casus) -> None:
    """A caseworker reaches a casus only when their party is involved in it; the other roles by role."""
    if gebruiker.rol != "medewerker" or handeling not in ALLEEN_EIGEN_CASUSSEN:
        return
    if gebruiker.partij not in betrokken_partijen(casus):
        raise ToegangGeweigerd(
            "casus-niet-aangeboden",
            f"casus {casus.casus_id} was never offered to or held by {gebruiker.partij}; a team reaches only casussen offered "
            "or transferred to it (RULES.md, who may do what)",
        )


def partij_voor_lijst(gebruiker: Gebruiker, partij: str | None) -> str | None:
    """The holder a list is filtered on: a caseworker lists what their own party holds; the other
    roles list any party's, or all."""
    if gebruiker.rol != "medewerker":
        return partij
    if partij not in (None, gebruiker.partij):
        raise ToegangGeweigerd(
            "partij-geweigerd", f"a caseworker of {gebruiker.partij} lists the casussen it holds, not those of {partij}", veld="partij"
        )
    return gebruiker.partij
