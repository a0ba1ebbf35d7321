"""Parties: who acts, and who can hold the responsibility for zicht op veiligheid (CONTRACT.md)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

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

# An identifier becomes a party id, a search attribute (CasusHouder, CasusGemeente: Temporal keeps a
# keyword to 2,048 bytes), a log field or a label: 200 characters are at most 800 bytes in UTF-8,
# with a prefix such as `instelling:` still far under Temporal's limit (issue 11).
IDENTIFICATIE_MAX = 200
PARTIJ_MAX = IDENTIFICATIE_MAX + max(len(TEAM_PREFIX), len(INSTELLING_PREFIX))
_STUURTEKENS = frozenset({"Cc", "Cf", "Cs"})  # control, format (bidi overrides, zero-width), lone surrogates


def stuurteken(waarde: str, behalve: str = "") -> str | None:
    """The first control, format or surrogate character in `waarde` not in `behalve`, as U+XXXX."""
    if waarde.isprintable():  # the common case, in C: no character of categories C* or Z* but the space
        return None
    c = next((c for c in waarde if c not in behalve and unicodedata.category(c) in _STUURTEKENS), None)
    return None if c is None else f"U+{ord(c):04X}"


def _identificatie(waarde: str) -> str:
    if (teken := stuurteken(waarde)) is not None:
        raise ValueError(f"an identifier has no control or format characters; found {teken}")
    if not waarde.strip():
        raise ValueError("an identifier is not blank")
    return waarde


Identificatie = Annotated[str, Field(min_length=1, max_length=IDENTIFICATIE_MAX), AfterValidator(_identificatie)]
"""A gemeente, household, team, instelling, medewerker or criterion as given in a command."""


def _sleutel(waarde: str) -> str:
    """A key other records are matched on (a household's: IJM-3.7c finds its open casus by it) has
    one spelling: no space at its ends, no character that Unicode folds into another (full-width
    letters, a no-break space) and no dash but the hyphen-minus, so that a key typed or pasted
    another way is refused, not taken for another household."""
    if waarde != waarde.strip():
        raise ValueError("a key has no space at its beginning or end")
    if (anders := next((c for c in waarde if unicodedata.normalize("NFKC", c) != c), None)) is not None:
        raise ValueError(f"a key has no character written as another (U+{ord(anders):04X}, {unicodedata.normalize('NFKC', anders)!r})")
    if unicodedata.normalize("NFKC", waarde) != waarde:
        raise ValueError("a key is written in composed form (NFC): a letter and its accent as one character")
    if (streep := next((c for c in waarde if c != "-" and unicodedata.category(c) == "Pd"), None)) is not None:
        raise ValueError(f"a key's only dash is '-' (found U+{ord(streep):04X})")
    return waarde


Sleutel = Annotated[str, Field(min_length=1, max_length=IDENTIFICATIE_MAX), AfterValidator(_identificatie), AfterValidator(_sleutel)]
"""A household's key as a new melding gives it: an identifier in its one spelling (`_sleutel`)."""

Partij = Annotated[str, Field(min_length=1, max_length=PARTIJ_MAX), AfterValidator(_identificatie)]
"""A party id as given in a command: an identifier, possibly behind `lokaal-team:`."""


class Actor(BaseModel):
    """Who took a step: the party and the person acting for it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    partij: str
    medewerker: str | None = None
    # Who vouched for the person (issue 13): the identity provider and the person's subject there,
    # from a verified token. Steps recorded before the front door carry neither, and their stored
    # JSON stays as it was (a field left None is not written).
    issuer: str | None = Field(default=None, exclude_if=lambda v: v is None)
    subject: str | None = Field(default=None, exclude_if=lambda v: v is None)

    @property
    def wie(self) -> str:
        """`partij/medewerker`, with the subject when a token vouched for them and it is not the name
        again (a provider's subject is often `partij/naam` or the name itself)."""
        naam = f"{self.partij}/{self.medewerker}" if self.medewerker else self.partij
        return f"{naam} ({self.subject})" if self.subject and self.subject not in (naam, self.medewerker) else naam


SYSTEEM_ACTOR = Actor(partij=SYSTEEM, medewerker="termijnbewaking")


class _Handelend(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partij: Partij
    medewerker: Identificatie | None = None
    issuer: Identificatie | None = None
    subject: Identificatie | None = None


def _handelend(waarde: Any) -> Any:
    # Only a command's actor is held to the limits: events keep the Actor they were recorded with,
    # so a stored one never becomes unreadable. Pydantic reports these errors under the field
    # (actor.partij, actor.medewerker).
    if isinstance(waarde, Actor | dict):
        _Handelend.model_validate(waarde.model_dump() if isinstance(waarde, Actor) else waarde)
    return waarde


HandelendeActor = Annotated[Actor, BeforeValidator(_handelend)]
"""The actor of a command: its party and medewerker are identifiers (errors at actor.partij, actor.medewerker)."""


def team(team_id: str) -> str:
    return f"{TEAM_PREFIX}{team_id}"


def team_id(partij: str) -> str | None:
    return partij.removeprefix(TEAM_PREFIX) if partij.startswith(TEAM_PREFIX) else None


def instelling(naam: str) -> str:
    return f"{INSTELLING_PREFIX}{naam}"


VASTE_PARTIJEN = (*VASTE_ACTOREN, CLIENTSYSTEEM, JEUGDHULP, MDA)
"""The parties that are no team nor instelling: the same in every region."""


def onbekende_partij(partij: str, teams: Iterable[str]) -> str | None:
    """Why `partij` is no party of the agreements here, naming what is (None when it is one): a
    fixed party, `lokaal-team:<team>` for a team of a policy (`teams`), or `instelling:<name>`. A
    caseworker of a party that does not exist would see an empty caseload, not a refusal."""
    if partij in VASTE_PARTIJEN:
        return None
    if partij.startswith(INSTELLING_PREFIX):
        naam = partij.removeprefix(INSTELLING_PREFIX)
        if not naam.strip():
            return "an instelling is named: instelling:<name>"
        if naam in VASTE_PARTIJEN or naam.startswith((TEAM_PREFIX, INSTELLING_PREFIX)):
            return f"{partij!r} names a party of the agreements as an instelling; give {naam!r} itself"
        return None
    bekend = sorted(set(teams))
    if (tid := team_id(partij)) is not None and tid in bekend:
        return None
    teams = f"{TEAM_PREFIX}<team> for {', '.join(bekend)}"
    return f"{partij!r} is no party of these agreements; known: {', '.join(VASTE_PARTIJEN)}, {teams}, {INSTELLING_PREFIX}<name>"
