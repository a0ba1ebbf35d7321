"""Errors a user sees, each with its exit code (CONTRACT.md): 1 refused, 2 usage, 3 unreachable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from domain.weigering import Weigering

GEWEIGERD = 1
GEBRUIK = 2
ONBEREIKBAAR = 3


class CliError(Exception):
    exit_code = GEWEIGERD
    json_getoond = False
    """The command printed its one JSON document with this error in it already."""

    def __init__(self, melding: str, regel: str | None = None, veld: str | None = None) -> None:
        super().__init__(melding)
        self.melding = melding
        self.regel = regel
        self.veld = veld

    def als_json(self) -> dict[str, Any]:
        fout = {"melding": self.melding, "regel": self.regel, "veld": self.veld, "exit_code": self.exit_code}
        return {"fout": {k: v for k, v in fout.items() if v is not None}}

    def tekst(self) -> str:
        waar = ", ".join(x for x in (self.regel, f"veld {self.veld}" if self.veld else None) if x)
        return f"geweigerd ({waar}): {self.melding}" if waar else f"fout: {self.melding}"


class RefusedError(CliError):
    exit_code = GEWEIGERD

    @classmethod
    def uit(cls, w: Weigering) -> RefusedError:
        return cls(w.melding, regel=w.regel, veld=w.veld)


class UnreachableError(CliError):
    exit_code = ONBEREIKBAAR

    def tekst(self) -> str:
        return f"niet bereikbaar: {self.melding}"


class NietAangemeldError(CliError):
    """No token for the request: the message says how to get one (exit 1)."""

    exit_code = GEWEIGERD

    def __init__(self, melding: str) -> None:
        super().__init__(melding, regel="niet-aangemeld")

    def tekst(self) -> str:
        return self.melding
