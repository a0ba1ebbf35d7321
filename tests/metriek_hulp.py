"""For the metric tests: the Prometheus text format read back, and the metric names the alert rules
and the dashboard in deploy/ use."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Set
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
REGELS = ROOT / "deploy" / "prometheus" / "casus-alerts.yaml"
DASHBOARD = ROOT / "deploy" / "grafana" / "casus-dashboard.json"

Reeks = tuple[dict[str, str], float]

_REGEL = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_TEKST = re.compile(r'"(?:[^"\\]|\\.)*"')
_NAAM = re.compile(r"\b(casus_[a-z0-9_]+|temporal_[a-z0-9_]+|up)\b")


def lees(tekst: str) -> dict[str, list[Reeks]]:
    """Every sample by metric name: its labels and value."""
    reeksen: dict[str, list[Reeks]] = {}
    for regel in tekst.splitlines():
        if not regel or regel.startswith("#"):
            continue
        m = _REGEL.match(regel)
        assert m is not None, regel
        reeksen.setdefault(m[1], []).append((dict(_LABEL.findall(m[2] or "")), float(m[3])))
    return reeksen


def soorten(tekst: str) -> dict[str, str]:
    """Each metric family's TYPE line: name -> counter, gauge, histogram."""
    return {d[2]: d[3] for r in tekst.splitlines() if r.startswith("# TYPE ") and len(d := r.split()) == 4}


def haal(poort: int, nodig: Set[str], seconden: float = 60) -> str:
    """The endpoint's text, once it serves every name needed (or whatever it serves at the deadline)."""
    einde, tekst = time.monotonic() + seconden, ""
    while time.monotonic() < einde:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{poort}/metrics", timeout=5) as antwoord:
                tekst = antwoord.read().decode()
        except OSError:
            tekst = ""
        if nodig <= lees(tekst).keys():
            break
        time.sleep(0.5)
    return tekst


def expressies() -> list[str]:
    """Every PromQL expression in the alert rules and the dashboard's panels."""
    regels = yaml.safe_load(REGELS.read_text(encoding="utf-8"))
    uit_regels = [r["expr"] for groep in regels["groups"] for r in groep["rules"]]
    dashboard: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    uit_dashboard = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    return uit_regels + uit_dashboard


def namen(expressie: str) -> set[str]:
    """The metric names in an expression: casus_*, temporal_* and `up` (label values left out)."""
    return set(_NAAM.findall(_TEKST.sub('""', expressie)))


def gebruikte_namen() -> set[str]:
    return {n for e in expressies() for n in namen(e)}
