"""Parties: who acts, and who can hold the responsibility for zicht op veiligheid (CONTRACT.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

VEILIG_THUIS = "veilig-thuis"
MELDER = "melder"
GEMEENTE = "gemeente"
BURGEMEESTER = "burgemeester"
CLIENTSYSTEEM = "clientsysteem"
JEUGDHULP = "jeugdhulp"
MDA = "mda"
# The casus itself acting on a durable timer (IJM-3.1d): nobody's hand, still an actor of record.
SYSTEEM = "systeem"

TEAM_PREFIX = "lokaal-team:"
INSTELLING_PREFIX = "instelling:"

VASTE_ACTOREN = (MELDER, VEILIG_THUIS, GEMEENTE, BURGEMEESTER)


class Actor(BaseModel):
    """Who took a step: the party and the person acting for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partij: str
    medewerker: str | None = None


SYSTEEM_ACTOR = Actor(partij=SYSTEEM, medewerker="termijnbewaking")


def team(team_id: str) -> str:
    return f"{TEAM_PREFIX}{team_id}"


def team_id(partij: str) -> str | None:
    return partij.removeprefix(TEAM_PREFIX) if partij.startswith(TEAM_PREFIX) else None


def instelling(naam: str) -> str:
    return f"{INSTELLING_PREFIX}{naam}"
