"""A scenario file (CONTRACT.md "Scenario files"), read and checked whole before anything runs: a
malformed file is refused with the field named (exit 1), never a traceback, a hang or a step
silently applied outside the run (issue 12)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError

from domain.gebeurtenissen import Melder
from domain.opdrachten import OPDRACHTEN, Tekst, VerplichteTekst, Verzoek
from domain.partijen import Identificatie
from domain.tijd import Moment
from runtime.policies import UnknownPolicyError, load_policy

VOORBEELD = "2027-03-25T10:00:00+01:00"


class ScenarioError(ValueError):
    """The scenario file itself cannot be run (as opposed to a refused step)."""

    def __init__(self, melding: str, veld: str | None = None) -> None:
        super().__init__(melding)
        self.veld = veld


def _seconde(waarde: Any) -> Any:
    """YAML reads 12345 as a number, which pydantic would take for seconds since 1970; and the record's
    resolution is the second (the workflow records `nu` to the second), so a fraction could never match."""
    if isinstance(waarde, bool | int | float):
        raise ValueError(f"a moment is written with its offset, e.g. {VOORBEELD}; got the number {waarde}")
    moment = waarde
    if isinstance(waarde, str):
        try:
            moment = datetime.fromisoformat(waarde)
        except ValueError:
            return waarde  # pydantic names what is wrong with it
    if isinstance(moment, datetime) and moment.microsecond:
        raise ValueError(f"{moment.isoformat()} has a fraction of a second; moments are whole seconds, e.g. {VOORBEELD}")
    return moment


ScenarioMoment = Annotated[Moment, BeforeValidator(_seconde)]


class ScenarioMelding(BaseModel):
    """The melding of a scenario, held to the limits of `Melden` so that the loader refuses what the
    workflow would (the field named, exit 1) instead of the run failing half-way."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    ontvangen: ScenarioMoment
    gemeente: Identificatie
    huishouden: Identificatie
    melder: Melder = Melder()
    acuut: bool = False
    inhoud: Tekst = ""


class Vervolgmelding(BaseModel):
    """A step `actie: melding`: another melding about a household while the scenario's casus runs. The
    simulator checks it as `casus melding` does (IJM-3.7c); a scenario follows one casus, so a melding
    that would start a casus of its own is reported, not run."""

    model_config = ConfigDict(frozen=True, extra="forbid", alias_generator=lambda n: n.replace("_", "-"), populate_by_name=True)

    actie: str = "melding"
    op: ScenarioMoment
    als: str
    medewerker: Identificatie | None = None
    huishouden: Identificatie | None = None
    gemeente: Identificatie | None = None
    acuut: bool = False
    melder_soort: Literal["professional", "burger"] = "professional"
    melder_anoniem: bool = False
    inhoud: Tekst = ""
    aparte_casus: VerplichteTekst | None = None


class Scenario(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    beleid: str
    melding: ScenarioMelding
    stappen: tuple[dict[str, Any], ...] = ()
    tot: ScenarioMoment

    @classmethod
    def load(cls, path: Path) -> Scenario:
        try:
            data = _yaml(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as e:
            raise ScenarioError(f"{path}: bestand: not UTF-8 text (byte {e.start}); save the scenario as UTF-8", veld="bestand") from None
        except (OSError, yaml.YAMLError) as e:
            raise ScenarioError(f"{path}: bestand: cannot be read as YAML: {e}", veld="bestand") from None
        try:
            scenario = cls.model_validate(data)
        except ValidationError as e:
            raise ScenarioError(f"{path}: {_velden(e)}", veld=_eerste_veld(e)) from None
        try:
            scenario.controleer()
        except ScenarioError as e:
            raise ScenarioError(f"{path}: {e}", veld=e.veld) from None
        return scenario

    def controleer(self) -> None:
        """What the file says against the policy and itself: every step readable, within the run."""
        try:
            gemeenten = load_policy(self.beleid).gemeenten
        except UnknownPolicyError as e:
            raise ScenarioError(f"beleid: {e}", veld="beleid") from None
        if self.melding.gemeente not in gemeenten:
            raise ScenarioError(
                f"melding.gemeente: '{self.melding.gemeente}' is not part of {self.beleid}; accepted: {', '.join(gemeenten)}",
                veld="melding.gemeente",
            )
        if self.tot <= self.melding.ontvangen:
            raise ScenarioError(
                f"tot: {self.tot.isoformat()} must come after melding.ontvangen ({self.melding.ontvangen.isoformat()})", veld="tot"
            )
        for nummer, stap in enumerate(self.stappen, start=1):
            try:
                v = vervolgmelding(stap) if isinstance(stap, dict) and stap.get("actie") == "melding" else verzoek(stap)
            except ScenarioError as e:
                raise ScenarioError(f"stappen.{nummer}.{e}", veld=f"stappen.{nummer}.{e.veld or 'stap'}") from None
            if v.op is not None and v.op >= self.tot:
                raise ScenarioError(
                    f"stappen.{nummer}.op: {v.op.isoformat()} is not before tot ({self.tot.isoformat()}); "
                    "a step takes effect within the simulation",
                    veld=f"stappen.{nummer}.op",
                )


def _yaml(tekst: str) -> Any:
    """libyaml's parser where the yaml package has it (a batch reads thousands of files), with the
    same safe constructor; a file it refuses is read again by the pure parser, so that a malformed
    file is refused in the words it always was."""
    lader = getattr(yaml, "CSafeLoader", None)
    if lader is not None:
        try:
            return yaml.load(tekst, Loader=lader)  # noqa: S506 - the safe constructor
        except yaml.YAMLError:
            pass
    return yaml.safe_load(tekst)


def _velden(e: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in err['loc']) or 'scenario'}: {err['msg']}" for err in e.errors())


def _eerste_veld(e: ValidationError) -> str:
    return ".".join(str(p) for p in e.errors()[0]["loc"]) or "scenario"


def vervolgmelding(stap: dict[str, Any]) -> Vervolgmelding:
    try:
        return Vervolgmelding.model_validate(stap)
    except ValidationError as e:
        raise ScenarioError(_velden(e), veld=_eerste_veld(e)) from None


def verzoek(stap: dict[str, Any]) -> Verzoek:
    """A scenario step as the workflow's update input; raises ScenarioError naming the field."""
    if not isinstance(stap, dict):
        raise ScenarioError(f"stap: a step is a mapping with op, als and actie; got {stap!r}", veld="stap")
    velden = dict(stap)
    op, als, actie = velden.pop("op", None), velden.pop("als", None), velden.pop("actie", None)
    if op is None:
        raise ScenarioError(f"op: a step needs the moment it takes effect, e.g. {VOORBEELD}", veld="op")
    medewerker = velden.pop("medewerker", None)
    if actie not in OPDRACHTEN:
        raise ScenarioError(f"actie: unknown action '{actie}'; accepted: {', '.join(sorted(OPDRACHTEN))}", veld="actie")
    if not isinstance(als, str):
        raise ScenarioError("als: the acting party is required (e.g. veilig-thuis, lokaal-team:<id>)", veld="als")
    try:
        op = _seconde(op)
        opdracht = OPDRACHTEN[actie].model_validate({"actie": actie, **velden})
        return Verzoek.model_validate({"opdracht": opdracht, "actor": {"partij": als, "medewerker": medewerker}, "op": op})
    except ValueError as e:
        if isinstance(e, ValidationError):
            raise ScenarioError(_velden(e), veld=_eerste_veld(e)) from None
        raise ScenarioError(f"op: {e}", veld="op") from None
