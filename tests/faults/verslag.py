"""Writes docs/RELIABILITY.md from the lines the `storing` tests left in CASUS_FAULT_RESULTS:
`python -m tests.faults.verslag RESULTS.jsonl docs/RELIABILITY.md` (make faults)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _naam(nodeid: str) -> str:
    _, _, test = nodeid.partition("::")
    test, _, parameter = test.partition("[")
    zin = test.removeprefix("test_").replace("_", " ")
    return f"{zin} [{parameter.rstrip(']')}]" if parameter else zin


def _commit() -> str:
    try:
        uit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return uit.stdout.strip()


# The threat model, kept as markdown beside this file and copied into the report.
DREIGINGSMODEL = Path(__file__).with_name("dreigingsmodel.md")

TELLERS = ("casussen", "verloren", "dubbel", "vastgelopen")


def _precies_eenmaal(regels: list[dict[str, Any]]) -> str:
    """Per fault, summed over its runs: the casussen it ran and how many were lost, doubled, wedged."""
    per_proef: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in regels:
        if r["soort"] == "noot" and all(t in r for t in TELLERS):
            per_proef[r["proef"]].append(r)
    rijen = [
        f"| {proef} | {len(runs)} | " + " | ".join(str(sum(int(r[t]) for r in runs)) for t in TELLERS) + " |"
        for proef, runs in sorted(per_proef.items())
    ]
    return "\n".join(["| fault | runs | casussen | lost | duplicated | wedged |", "|---|---|---|---|---|---|", *rijen])


def _soak(regels: list[dict[str, Any]]) -> str:
    runs = [r for r in regels if r["soort"] == "soak"]
    if not runs:
        return "No soak run was recorded (`make soak`)."
    kolommen = (
        "clients",
        "seconden",
        "meldingen",
        "acties",
        "erkend",
        "p50_s",
        "p99_s",
        "verloren",
        "dubbel",
        "stack_doden",
        "projectie_achter",
    )
    kop = "| " + " | ".join(kolommen) + " |"
    return "\n".join([kop, "|" + "---|" * len(kolommen), *("| " + " | ".join(str(r.get(k, "")) for k in kolommen) + " |" for r in runs)])


def verslag(regels: list[dict[str, Any]], herhalingen: int) -> str:
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in regels:
        if r["soort"] == "test":
            tests[r["test"]].append(r)
    noten: dict[str, str] = {r["proef"]: r["uitkomst"] for r in regels if r["soort"] == "noot"}
    precies = _precies_eenmaal(regels)
    soak = _soak(regels)
    rijen = []
    for nodeid, runs in sorted(tests.items()):
        geslaagd = sum(r["uitkomst"] == "passed" for r in runs)
        duur = statistics.median(r["seconden"] for r in runs)
        uitkomst = "held every time" if geslaagd == len(runs) else f"FAILED {len(runs) - geslaagd} time(s)"
        rijen.append(f"| {_naam(nodeid)} | `{nodeid.partition('::')[0]}` | {len(runs)} | {geslaagd} | {duur:.2f} | {uitkomst} |")
    gezien = "\n".join(f"- **{proef}**: {uitkomst}" for proef, uitkomst in sorted(noten.items()))
    totaal = sum(len(r) for r in tests.values())
    mislukt = sum(r["uitkomst"] != "passed" for runs in tests.values() for r in runs)
    return f"""# Reliability

Produced by `make faults` on {datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")} (commit {_commit()}): every test marked
`storing` (fault injection on the real Temporal dev server, worker processes, SQLite and PostgreSQL; tampering with stored rows;
the append-only guard; continue-as-new; replay of recorded histories) was run {herhalingen} time(s).
{totaal} runs, {mislukt} failed. This file is written by the suite (`tests/faults/verslag.py`); do not edit it by hand.

| what was tried | where | runs | passed | median s | result |
|---|---|---|---|---|---|
{chr(10).join(rijen)}

## Exactly once under faults

Each fault test below counts, after the fault, the casussen it ran; an acknowledged action missing
from the stream (lost), an event stored twice (duplicated), and a workflow not at its stream's
version, so its deadlines would stop (wedged). Summed over every run:

{precies}

## Soak of the embedded stack

Clients run `casus` commands in parallel against `casus dev` (meldingen and actions mixed) for the
time given; afterwards every acknowledged action must be in the event store once, the stack must
still run, and the projections must hold every event:

{soak}

## What the fault tests saw on their last run

{gezien}

How each fault is made: the worker is killed with SIGKILL while its append activity is blocked on a
database lock held by the test, and (`CASUS_STORINGSPUNT`, runtime/storingspunt.py) right after the
append of a melding, an action or a deadline's tick committed, before the workflow task completed;
the Temporal dev server's database is deleted with 100 open casussen, which `casus herstel --alle`
restores from their streams; the CLI runs with no worker, with a terminated workflow and with
Temporal down; the Temporal dev server (file persistence) and the worker are
stopped while acute casussen wait on their 72-hour crisis timer, the timer's moment passes, and
both are started again; PostgreSQL is reached through a TCP proxy in the test, which cuts every
connection and refuses new ones for four seconds during an append; rows are edited directly in
SQLite and in PostgreSQL (past the trigger, as a superuser can) to alter, delete and reorder
events. The fast part of this suite also runs in `make test`.

{DREIGINGSMODEL.read_text(encoding="utf-8").rstrip()}
"""


if __name__ == "__main__":
    bron, doel = Path(sys.argv[1]), Path(sys.argv[2])
    herhalingen = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    regels = [json.loads(x) for x in bron.read_text(encoding="utf-8").splitlines() if x.strip()]
    doel.parent.mkdir(parents=True, exist_ok=True)
    doel.write_text(verslag(regels, herhalingen), encoding="utf-8")
    print(doel)
