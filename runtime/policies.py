"""Loads the policies and the working-day calendar shipped as data files."""

from __future__ import annotations

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
    return sorted(p.name.removesuffix(".yaml") for p in (_DATA / "beleid").iterdir() if p.name.endswith(".yaml"))


def load_policy(policy_id: str) -> Beleid:
    if policy_id not in policy_ids():
        raise UnknownPolicyError(f"unknown beleid '{policy_id}'; accepted: {', '.join(policy_ids())}")
    try:
        return Beleid.model_validate(_yaml(f"beleid/{policy_id}.yaml"))
    except ValidationError as e:
        raise ValueError(f"policy file beleid/{policy_id}.yaml is invalid: {e}") from e


def load_calendar() -> Kalender:
    return Kalender.model_validate(_yaml("kalender.yaml"))


def load_rules(policy_id: str) -> Regelset:
    return Regelset(beleid=load_policy(policy_id), kalender=load_calendar())
