"""The settings module and both deploy files agree on every variable's name and default, and what
only a caseworker's machine reads is documented where a caseworker reads."""

from __future__ import annotations

import json
from typing import Any, get_origin

from pydantic import TypeAdapter

from tests.deploy.bestanden import (
    ALLEEN_OP_DE_WERKPLEK,
    CASUS_SERVICES,
    INSTELLINGEN,
    PRODUCTIE,
    ROOT,
    soort,
    variabelen_van_de_code,
)


def test_the_scan_finds_the_settings_and_the_direct_reads() -> None:
    namen = variabelen_van_de_code()
    assert {"CASUS_EVENTSTORE", "CASUS_TEMPORAL_API_KEY", "CASUS_SECRETS_DIR", "XDG_STATE_HOME", "CASUS_API_URL"} <= namen
    assert {"CASUS_OIDC_ISSUER", "CASUS_OIDC_AUDIENCE", "CASUS_OIDC_ROL_VOORVOEGSEL"} <= namen


def _omgevingen(compose: dict[str, Any]) -> dict[str, dict[str, str]]:
    omgevingen = {f"compose:{n}": compose["services"][n]["environment"] for n in CASUS_SERVICES}
    omgevingen["k8s:casus-settings"] = soort("ConfigMap")["casus-settings"]["data"]
    for naam, doc in [*soort("Deployment").items(), *soort("Job").items()]:
        env = doc["spec"]["template"]["spec"]["containers"][0].get("env", [])
        omgevingen[f"k8s:{naam}"] = {e["name"]: e["value"] for e in env}
    return omgevingen


def test_the_settings_module_and_the_deploy_files_agree_on_names_and_defaults(compose: dict[str, Any]) -> None:
    """A variable no setting reads is a typo; a value other than the default is a production choice
    listed in PRODUCTIE with its reason, so a changed default in the code cannot go unnoticed."""
    bekend = variabelen_van_de_code()
    for bron, omgeving in _omgevingen(compose).items():
        for naam, waarde in omgeving.items():
            if not naam.startswith("CASUS_") and naam != "XDG_STATE_HOME":
                continue
            assert naam in bekend, f"{bron}: {naam} is read by no code"
            if waarde in ("", None) or naam in PRODUCTIE:
                continue
            for voorvoegsel, klasse in sorted(INSTELLINGEN, key=lambda i: -len(i[0])):  # CASUS_OIDC_ before CASUS_
                veld = naam.removeprefix(voorvoegsel).lower()
                if naam.startswith(voorvoegsel) and veld in klasse.model_fields:
                    veldinfo = klasse.model_fields[veld]
                    # A list or tuple comes as JSON in the environment, as pydantic-settings reads it.
                    gelezen = json.loads(waarde) if get_origin(veldinfo.annotation) in (list, tuple, set, frozenset, dict) else waarde
                    gezet = TypeAdapter(veldinfo.annotation).validate_python(gelezen)
                    standaard = veldinfo.get_default(call_default_factory=True)
                    assert gezet == standaard, f"{bron}: {naam}={waarde!r}, the default is {standaard!r}"
                    break
    assert set(PRODUCTIE) <= bekend


def test_the_caseworkers_own_settings_are_documented_where_a_caseworker_reads() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for naam in sorted(ALLEEN_OP_DE_WERKPLEK - {"XDG_CONFIG_HOME", "CASUS_OIDC_SCOPE"}):
        assert f"`{naam}`" in readme, naam
