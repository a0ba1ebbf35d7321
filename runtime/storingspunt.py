"""Named commit points where the fault tests kill a process, to show that nothing is lost or
doubled when a process dies exactly there.

Off unless CASUS_STORINGSPUNT names a point and the decisions it applies to, as
`na-append:<key prefix>` (e.g. `na-append:tik:`: right after the append of a deadline's tick has
committed, before the workflow task that made it completes). The process then kills itself with
SIGKILL, once: the file CASUS_STORINGSPUNT_MERK is created when it fires, and a point whose mark
exists fires no more.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Storingspunt:
    punt: str
    sleutel_begin: str
    merk: Path

    @classmethod
    def uit_omgeving(cls) -> Storingspunt | None:
        spec, merk = os.environ.get("CASUS_STORINGSPUNT"), os.environ.get("CASUS_STORINGSPUNT_MERK")
        if not spec or not merk:
            return None
        punt, _, begin = spec.partition(":")
        return cls(punt=punt, sleutel_begin=begin, merk=Path(merk))

    def bereikt(self, punt: str, sleutel: str | None) -> None:
        if punt != self.punt or not (sleutel or "").startswith(self.sleutel_begin):
            return
        try:
            self.merk.open("x").close()
        except FileExistsError:
            return
        os.kill(os.getpid(), signal.SIGKILL)
