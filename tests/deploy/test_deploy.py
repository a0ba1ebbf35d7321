"""The deploy files: the Compose file against the Compose specification (docker-compose `config`,
no engine needed), the Kubernetes manifests against the API schemas (kubernetes-validate), and the
settings module and both deploy files agreeing on every variable's name and default."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr, TypeAdapter

from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES = "1.33.0"
PRODUCT = ("domain", "workflows", "activities", "projections", "eventstore", "runtime", "casus_cli", "worker.py")
CASUS_SERVICES = ("migreer", "worker", "projecties", "casus")

# Where a deploy file may set a value other than the setting's default, and why. Every other
# variable must carry the default (or be empty, which means the default).
PRODUCTIE = {
    "XDG_STATE_HOME": "the image's writable state lives under /var/lib",
    "CASUS_STATE_DIR": "the image's writable state lives under /var/lib",
    "CASUS_SECRETS_DIR": "secrets are mounted files",
    "CASUS_EVENTSTORE": "production is PostgreSQL",
    "CASUS_POSTGRES_HOST": "the event-store database's service name",
    "CASUS_POSTGRES_USER": "each process logs in as the user of its role",
    "CASUS_CREATE_TABLES": "only the migration creates tables",
    "CASUS_TEMPORAL_ADDRESS": "the cluster's frontend",
    "CASUS_TEMPORAL_TLS": "mTLS to the cluster",
    "CASUS_TEMPORAL_TLS_CA_PATH": "mounted certificates",
    "CASUS_TEMPORAL_TLS_CERT_PATH": "mounted certificates",
    "CASUS_TEMPORAL_TLS_KEY_PATH": "mounted certificates",
    "CASUS_TEMPORAL_TLS_SERVER_NAME": "the frontend certificate's name",
    "CASUS_METRICS_HOST": "scraped from outside the container",
    "CASUS_LOG_FORMAT": "log collectors read JSON",
}


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# Read by the product but never set in a deployment: the fault points `make faults` kills a worker at.
ALLEEN_IN_PROEVEN = {"CASUS_STORINGSPUNT", "CASUS_STORINGSPUNT_MERK"}


def variabelen_van_de_code() -> set[str]:
    """Every environment variable the product reads: the settings, and any read directly."""
    namen = {f"CASUS_{naam.upper()}" for naam in Settings.model_fields}
    direct = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    for deel in PRODUCT:
        for bestand in [ROOT / deel] if deel.endswith(".py") else (ROOT / deel).rglob("*.py"):
            namen |= set(direct.findall(bestand.read_text(encoding="utf-8")))
    return namen - ALLEEN_IN_PROEVEN


def test_the_scan_finds_the_settings_and_the_direct_reads() -> None:
    namen = variabelen_van_de_code()
    assert {"CASUS_EVENTSTORE", "CASUS_TEMPORAL_API_KEY", "CASUS_SECRETS_DIR", "XDG_STATE_HOME"} <= namen


# --- Compose -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables interpolated)."""
    programma = shutil.which("docker-compose")
    if programma is None:
        if ci():
            pytest.fail("docker-compose is not installed and CI is set (make test installs Debian's package)")
        pytest.skip("docker-compose is not installed")
    env = os.environ | {"TEMPORAL_DB_PASSWORD": "only-for-validation"}
    r = subprocess.run([programma, "-f", str(DEPLOY / "docker-compose.yml"), "config"], capture_output=True, text=True, env=env,
                       timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    resolved: dict[str, Any] = yaml.safe_load(r.stdout)
    return resolved


def test_compose_has_every_part_of_the_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"temporal-db", "temporal", "temporal-ui", "eventstore-db", *CASUS_SERVICES}
    assert services["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert services["projecties"]["command"] == ["casus", "projecties", "draai"]
    assert services["projecties"]["deploy"]["replicas"] == 1
    assert services["casus"]["profiles"] == ["cli"]
    assert services["worker"]["depends_on"]["migreer"]["condition"] == "service_completed_successfully"


def test_compose_gives_every_casus_service_every_variable_the_code_reads(compose: dict[str, Any]) -> None:
    for naam in CASUS_SERVICES:
        ontbreekt = variabelen_van_de_code() - set(compose["services"][naam]["environment"])
        assert not ontbreekt, f"service {naam} lacks {sorted(ontbreekt)}"


def test_compose_holds_no_secret_and_mounts_each_as_a_file(compose: dict[str, Any]) -> None:
    geheim = {f"CASUS_{n.upper()}" for n, f in Settings.model_fields.items() if f.annotation is SecretStr}
    assert geheim == {"CASUS_POSTGRES_PASSWORD", "CASUS_MASTER_KEY", "CASUS_TEMPORAL_API_KEY"}
    for naam in CASUS_SERVICES:
        service = compose["services"][naam]
        assert all(not service["environment"][v] for v in geheim), f"service {naam} has a secret in its environment"
        assert "casus_postgres_password" in {s["target"] for s in service["secrets"]}
    for bron in compose["secrets"].values():
        assert Path(bron["file"]).parent == DEPLOY / "secrets"
    assert not [p.name for p in (DEPLOY / "secrets").iterdir() if p.name not in (".gitignore", "README.md") and _in_git(p)]


def _in_git(pad: Path) -> bool:
    r = subprocess.run(["git", "ls-files", "--error-unmatch", str(pad)], cwd=ROOT, capture_output=True, check=False)
    return r.returncode == 0


def test_compose_lets_the_worker_finish_before_it_is_killed(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    genade = _seconden(worker["stop_grace_period"])
    assert genade > float(worker["environment"]["CASUS_WORKER_SHUTDOWN_SECONDS"])


def _seconden(duur: str) -> float:
    m = re.fullmatch(r"(\d+)(s|m)", duur)
    assert m, duur
    return float(m.group(1)) * (60 if m.group(2) == "m" else 1)


def test_the_event_store_login_script_is_valid_shell() -> None:
    r = subprocess.run(["sh", "-n", str(DEPLOY / "postgres" / "logins.sh")], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr


# --- Kubernetes --------------------------------------------------------------------------------


def _kustomization() -> dict[str, Any]:
    k: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return k


def manifesten() -> Iterator[tuple[str, dict[str, Any]]]:
    for bestand in _kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / bestand).read_text()):
            if doc:
                yield bestand, doc


def _soort(kind: str) -> dict[str, Any]:
    gevonden = [doc for _, doc in manifesten() if doc["kind"] == kind]
    return {doc["metadata"]["name"]: doc for doc in gevonden}


@pytest.mark.parametrize("bestand", _kustomization()["resources"])
def test_each_manifest_is_valid_against_the_kubernetes_schema(bestand: str) -> None:
    for doc in yaml.safe_load_all((K8S / bestand).read_text()):
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)


def test_kustomize_builds_the_whole_and_every_built_object_is_valid(tmp_path: Path) -> None:
    """With kubectl at hand (its built-in kustomize), the generators and name references too."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed; each manifest is still validated on its own")
    kopie = tmp_path / "k8s"
    shutil.copytree(K8S, kopie)
    for generator in _kustomization()["secretGenerator"]:
        for bestand in generator["files"]:
            (kopie / bestand).write_text("only-for-validation\n")
    r = subprocess.run([kubectl, "kustomize", str(kopie)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    objecten = [d for d in yaml.safe_load_all(r.stdout) if d]
    for doc in objecten:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    assert {d["kind"] for d in objecten} >= {"Namespace", "ConfigMap", "Secret", "Deployment", "Job", "Service", "PodDisruptionBudget"}


def test_the_manifests_give_every_variable_the_code_reads() -> None:
    data = _soort("ConfigMap")["casus-settings"]["data"]
    assert not variabelen_van_de_code() - set(data), sorted(variabelen_van_de_code() - set(data))
    geheim = {f"CASUS_{n.upper()}" for n, f in Settings.model_fields.items() if f.annotation is SecretStr}
    assert all(not data[v] for v in geheim), "a secret in the ConfigMap"
    for naam, deployment in _soort("Deployment").items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["envFrom"] == [{"configMapRef": {"name": "casus-settings"}}], naam


def test_the_worker_deployment_shuts_down_as_the_temporal_worker_does() -> None:
    data = _soort("ConfigMap")["casus-settings"]["data"]
    worker = _soort("Deployment")["casus-worker"]["spec"]
    assert worker["template"]["spec"]["terminationGracePeriodSeconds"] > float(data["CASUS_WORKER_SHUTDOWN_SECONDS"])
    assert worker["replicas"] >= 2
    resources = worker["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"]


def test_exactly_one_projection_runner() -> None:
    runner = _soort("Deployment")["casus-projecties"]["spec"]
    assert runner["replicas"] == 1
    assert runner["strategy"] == {"type": "Recreate"}  # never an old and a new pod at once
    assert runner["template"]["spec"]["containers"][0]["command"] == ["casus", "projecties", "draai"]


def test_every_secret_key_a_pod_mounts_is_generated() -> None:
    gegenereerd = {g["name"]: {Path(f).name for f in g["files"]} for g in _kustomization()["secretGenerator"]}
    for _, doc in manifesten():
        template = doc.get("spec", {}).get("template", {}).get("spec", {})
        for volume in template.get("volumes", []):
            if "secret" in volume:
                naam = volume["secret"]["secretName"]
                assert naam in gegenereerd, naam
                assert {i["key"] for i in volume["secret"].get("items", [])} <= gegenereerd[naam]


def test_the_temporal_helm_values_use_postgresql_and_mtls() -> None:
    values = yaml.safe_load((K8S / "temporal-values.yaml").read_text())
    persistence = values["server"]["config"]["persistence"]
    assert {persistence[s]["sql"]["driver"] for s in ("default", "visibility")} == {"postgres12"}
    assert values["server"]["config"]["tls"]["frontend"]["server"]["requireClientAuth"] is True
    data = _soort("ConfigMap")["casus-settings"]["data"]
    assert data["CASUS_TEMPORAL_TLS_SERVER_NAME"] == values["server"]["config"]["tls"]["frontend"]["client"]["serverName"]


# --- Names and defaults ------------------------------------------------------------------------


def _omgevingen(compose: dict[str, Any]) -> dict[str, dict[str, str]]:
    omgevingen = {f"compose:{n}": compose["services"][n]["environment"] for n in CASUS_SERVICES}
    omgevingen["k8s:casus-settings"] = _soort("ConfigMap")["casus-settings"]["data"]
    for naam, doc in [*_soort("Deployment").items(), *_soort("Job").items()]:
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
            veld = naam.removeprefix("CASUS_").lower()
            if waarde in ("", None) or naam in PRODUCTIE or veld not in Settings.model_fields:
                continue
            veldinfo = Settings.model_fields[veld]
            gezet, standaard = TypeAdapter(veldinfo.annotation).validate_python(waarde), veldinfo.get_default(call_default_factory=True)
            assert gezet == standaard, f"{bron}: {naam}={waarde!r}, the default is {standaard!r}"
    assert set(PRODUCTIE) <= bekend
