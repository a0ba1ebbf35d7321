"""The casus workflow's input and results, as they travel through Temporal (JSON by pydantic)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from temporalio.exceptions import ApplicationError

from domain.opdrachten import Melden
from domain.stap import Regelset
from domain.toestand import Casus
from domain.weigering import Weigering

WEIGERING = "Weigering"
# Decisions remembered across continue-as-new, so a retried update finds its result after it.
SLEUTELS_BEWAARD = 500


class Vastgelegd(BaseModel):
    """One decision as the stream holds it: the version after its events, and their types."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    versie: int
    gebeurtenissen: tuple[str, ...]


class CasusStart(BaseModel):
    """The melding, the rules the casus runs under, and (after continue-as-new) its state."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    melding: Melden
    regelset: Regelset
    klok_verschuiving_s: float = 0.0
    casus: Casus | None = None
    # The decisions already in the stream (their key, the version after them, their event types).
    sleutels: dict[str, Vastgelegd] = {}
    # A casus can run two years: past this many history events it continues as new with its state.
    geschiedenis_limiet: int = 10_000
    # How long one append may take before Temporal retries it on another worker.
    activiteit_timeout_s: float = 30.0


class Resultaat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    versie: int
    gebeurtenissen: tuple[str, ...]
    casus: Casus


def weigering(w: Weigering) -> ApplicationError:
    """A refusal as the caller receives it: rule, field and message travel as the error's details."""
    return ApplicationError(f"{w.regel}: {w.melding}", w.regel, w.veld, w.melding, type=WEIGERING, non_retryable=True)
