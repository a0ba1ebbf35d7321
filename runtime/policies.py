"""Loads the policies and the working-day calendar shipped as data files.

The files are part of the installed package and do not change while a process runs: each is read
and validated once per process (the models are frozen, so every caller may share them). A batch
simulation starts thousands of casussen, each of which would otherwise parse its policy again."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import ValidationError

from domain.beleid import Beleid
from domain.stap import Regelset
from domain.tijd import Kalender

_DATA = resources.files("domain") / "data"


class UnknownPolicyError(LookupError):
    pass


def _yaml(naam: str) -> Any:
    return yaml.safe_load((_DATA / naam).read_text(encoding="utf-8"))


def policy_ids() -> list[str]:
    return list(_policy_ids())


@cache
def _policy_ids() -> tuple[str, ...]:
    return tuple(sorted(p.name.removesuffix(".yaml") for p in (_DATA / "beleid").iterdir() if p.name.endswith(".yaml")))


@cache
def load_policy(policy_id: str) -> Beleid:
    if policy_id not in _policy_ids():
        raise UnknownPolicyError(f"unknown beleid '{policy_id}'; accepted: {', '.join(_policy_ids())}")
    try:
        return Beleid.model_validate(_yaml(f"beleid/{policy_id}.yaml"))
    except ValidationError as e:
        raise ValueError(f"policy file beleid/{policy_id}.yaml is invalid: {e}") from e


@cache
def team_ids() -> tuple[str, ...]:
    """Every lokale team of every policy."""
    return tuple(sorted({t.id for b in _policy_ids() for t in load_policy(b).teams}))


@cache
def load_calendar() -> Kalender:
    return Kalender.model_validate(_yaml("kalender.yaml"))


def load_rules(policy_id: str) -> Regelset:
    return Regelset(beleid=load_policy(policy_id), kalender=load_calendar())
