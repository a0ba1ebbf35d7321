"""The deploy files: the Compose file against the Compose specification (docker-compose `config`,
no engine needed), the Kubernetes manifests against the API schemas (kubernetes-validate), and what
each service and pod runs and holds. The settings' names and defaults: test_instellingen.py; the
signing keys and the WORM bucket: test_sleutels_en_worm.py."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr

from runtime.settings import Settings
from tests.deploy.bestanden import (
    CASUS_SERVICES,
    COMPOSE_ENV,
    DEPLOY,
    K8S,
    KUBERNETES,
    PRODUCT,
    ROOT,
    containers,
    kustomization,
    manifesten,
    soort,
    variabelen_van_de_code,
)


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_product_is_every_package_the_project_installs() -> None:
    setuptools = _pyproject()["tool"]["setuptools"]
    pakketten = {p.removesuffix("*") for p in setuptools["packages"]["find"]["include"]}
    assert set(PRODUCT) == pakketten | {f"{m}.py" for m in setuptools["py-modules"]}


def test_the_image_copies_every_part_of_the_product() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    kopieen = {deel for regel in re.findall(r"^COPY (.+)$", dockerfile, re.MULTILINE) for deel in regel.split()[:-1]}
    for deel in PRODUCT:
        assert (deel if deel.endswith(".py") else f"{deel}/") in kopieen, f"deploy/Dockerfile does not copy {deel}"


# --- Compose -----------------------------------------------------------------------------------


def test_compose_has_every_part_of_the_stack(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"temporal-db", "temporal", "temporal-ui", "eventstore-db", "worm", *CASUS_SERVICES}
    assert set(CASUS_SERVICES) - {"casus"} <= {s for s, v in services.items() if "casus_postgres_password" in _geheimen(v)}
    assert services["temporal"]["image"].startswith("temporalio/auto-setup:")
    assert services["temporal-ui"]["image"].startswith("temporalio/ui:")
    assert services["temporal"]["environment"]["DB"] == "postgres12"
    assert services["projecties"]["command"] == ["casus", "projecties", "draai"]
    assert services["projecties"]["deploy"]["replicas"] == 1
    assert services["casus"]["profiles"] == ["cli"]
    assert services["beheer"]["profiles"] == ["beheer"]
    assert services["worker"]["depends_on"]["migreer"]["condition"] == "service_completed_successfully"
    assert services["api"]["depends_on"]["migreer"]["condition"] == "service_completed_successfully"


def test_compose_serves_the_api_with_the_master_key_and_its_own_login(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    assert api["command"] == ["casus", "api"]
    assert "profiles" not in api  # it runs with the stack
    assert api["environment"]["CASUS_POSTGRES_USER"] == "api"
    assert api["environment"]["CASUS_API_HOST"] == "0.0.0.0"
    assert api["environment"]["CASUS_OIDC_ISSUER"] == COMPOSE_ENV["CASUS_OIDC_ISSUER"]
    assert {"casus_postgres_password", "casus_master_key"} <= _geheimen(api)
    assert int(api["environment"]["CASUS_API_PORT"]) in {_poort(p) for p in api["ports"]}
    assert "/gezond" in " ".join(api["healthcheck"]["test"])
    assert f":{api['environment']['CASUS_API_PORT']}/" in " ".join(api["healthcheck"]["test"])


def test_compose_gives_the_caseworkers_cli_no_login_and_no_key(compose: dict[str, Any]) -> None:
    """A caseworker's CLI holds a token and the API's address, nothing else: no database password,
    no master key, no Temporal key, no worker key."""
    services = compose["services"]
    cli = services["casus"]
    assert not cli.get("secrets")
    assert cli["environment"]["CASUS_API_URL"] == f"http://api:{services['api']['environment']['CASUS_API_PORT']}"
    assert cli["depends_on"]["api"]["condition"] == "service_healthy"
    assert not cli["environment"]["CASUS_WORKER_SLEUTEL"]
    assert {s for s, v in services.items() if "casus_master_key" in _geheimen(v)} <= {"api", "beheer"}
    assert not (
        {s["source"] for v in services.values() for s in v.get("secrets", []) if isinstance(s, dict)} & {"eventstore_medewerker_password"}
    )
    assert "eventstore_medewerker_password" not in compose["secrets"]


def _geheimen(service: dict[str, Any]) -> set[str]:
    return {str(s.get("target", s["source"])) if isinstance(s, dict) else str(s) for s in service.get("secrets", [])}


def _poort(poort: str | dict[str, Any]) -> int:
    """The published port of a `ports` entry, in docker-compose v1's string or v2's long form."""
    if isinstance(poort, dict):
        return int(poort["published"])
    return int(poort.split("/")[0].split(":")[-2])


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
    for bron in [*compose["secrets"].values(), *compose.get("configs", {}).values()]:
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


def test_the_api_has_a_login_and_caseworkers_have_none() -> None:
    script = (DEPLOY / "postgres" / "logins.sh").read_text(encoding="utf-8")
    logins = dict(re.findall(r"^CREATE ROLE (\w+) LOGIN PASSWORD :'\w+' IN ROLE (\w+);$", script, re.MULTILINE))
    assert logins == {"worker": "casus_worker", "projecties": "casus_projecties", "api": "casus_medewerker"}


# --- Kubernetes --------------------------------------------------------------------------------


@pytest.mark.parametrize("bestand", kustomization()["resources"])
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
    for generator in kustomization()["secretGenerator"] + kustomization()["configMapGenerator"]:
        for bestand in generator["files"]:
            if not (kopie / bestand).exists():
                (kopie / bestand).write_text("only-for-validation\n")
    r = subprocess.run([kubectl, "kustomize", str(kopie)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    objecten = [d for d in yaml.safe_load_all(r.stdout) if d]
    for doc in objecten:
        kubernetes_validate.validate(doc, KUBERNETES, strict=True)
    soorten = {"Namespace", "ConfigMap", "Secret", "Deployment", "Job", "Service", "PodDisruptionBudget", "Ingress",
               "PersistentVolumeClaim", "ServiceAccount"}  # fmt: skip
    assert {d["kind"] for d in objecten} >= soorten
    # Every image pinned: ours by the tag of the release, any other by digest.
    for doc in objecten:
        for container in containers(doc.get("spec", {}).get("template", {}).get("spec", {})):
            beeld = container["image"]
            assert beeld.startswith("casus:") or re.search(r"@sha256:[0-9a-f]{64}$", beeld), f"{beeld} is not pinned by digest"


def test_the_manifests_give_every_variable_the_code_reads() -> None:
    data = soort("ConfigMap")["casus-settings"]["data"]
    assert not variabelen_van_de_code() - set(data), sorted(variabelen_van_de_code() - set(data))
    geheim = {f"CASUS_{n.upper()}" for n, f in Settings.model_fields.items() if f.annotation is SecretStr}
    assert all(not data[v] for v in geheim), "a secret in the ConfigMap"
    for naam, deployment in soort("Deployment").items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["envFrom"] == [{"configMapRef": {"name": "casus-settings"}}], naam


def test_the_worker_deployment_shuts_down_as_the_temporal_worker_does() -> None:
    data = soort("ConfigMap")["casus-settings"]["data"]
    worker = soort("Deployment")["casus-worker"]["spec"]
    assert worker["template"]["spec"]["terminationGracePeriodSeconds"] > float(data["CASUS_WORKER_SHUTDOWN_SECONDS"])
    assert worker["replicas"] >= 2
    resources = worker["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"]["cpu"] and resources["requests"]["memory"]


def test_exactly_one_projection_runner() -> None:
    runner = soort("Deployment")["casus-projecties"]["spec"]
    assert runner["replicas"] == 1
    assert runner["strategy"] == {"type": "Recreate"}  # never an old and a new pod at once
    assert runner["template"]["spec"]["containers"][0]["command"] == ["casus", "projecties", "draai"]


def test_the_api_deployment_is_ready_when_its_parts_answer_and_holds_the_master_key() -> None:
    data = soort("ConfigMap")["casus-settings"]["data"]
    api = soort("Deployment")["casus-api"]["spec"]
    assert api["replicas"] >= 2
    pod = api["template"]["spec"]
    container = pod["containers"][0]
    assert container["command"] == ["casus", "api"]
    assert {"name": "CASUS_POSTGRES_USER", "value": "api"} in container["env"]
    assert data["CASUS_API_HOST"] == "0.0.0.0"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["resources"]["requests"]["cpu"] and container["resources"]["requests"]["memory"]
    assert container["resources"]["limits"]["memory"]
    poorten = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert poorten["http"] == int(data["CASUS_API_PORT"])
    assert container["readinessProbe"]["httpGet"] == {"path": "/gereed", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/gezond", "port": "http"}
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts["secrets"] == data["CASUS_SECRETS_DIR"]
    bestanden = {i["path"] for v in pod["volumes"] if "secret" in v for i in v["secret"].get("items", [])}
    assert {"casus_postgres_password", "casus_master_key"} <= bestanden


def test_only_the_api_holds_the_master_key() -> None:
    houders = set()
    for _, doc in manifesten():
        for volume in doc.get("spec", {}).get("template", {}).get("spec", {}).get("volumes", []):
            if any(i["path"] == "casus_master_key" for i in volume.get("secret", {}).get("items", [])):
                houders.add(doc["metadata"]["name"])
            if volume.get("secret", {}).get("secretName") == "casus-secrets":
                assert volume["secret"].get("items"), "casus-secrets mounted whole: every key, the master key too"
    assert houders == {"casus-api"}


def test_the_api_is_a_cluster_service_behind_an_ingress_with_tls() -> None:
    data = soort("ConfigMap")["casus-settings"]["data"]
    service = soort("Service")["casus-api"]["spec"]
    assert service.get("type", "ClusterIP") == "ClusterIP"
    assert service["selector"] == {"app.kubernetes.io/name": "casus-api"}
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(int(data["CASUS_API_PORT"]), "http")]
    ingress = soort("Ingress")["casus-api"]["spec"]
    assert ingress["tls"] and all(t["secretName"] for t in ingress["tls"])
    beveiligd = {h for t in ingress["tls"] for h in t["hosts"]}
    for regel in ingress["rules"]:
        assert regel["host"] in beveiligd, f"{regel['host']} is served without TLS"
        for pad in regel["http"]["paths"]:
            assert pad["backend"]["service"] == {"name": "casus-api", "port": {"name": "http"}}
    assert data["CASUS_API_URL"] in {f"https://{h}" for h in beveiligd}


def test_node_drains_leave_an_api_pod_serving() -> None:
    pdb = soort("PodDisruptionBudget")["casus-api"]["spec"]
    assert pdb["selector"]["matchLabels"] == {"app.kubernetes.io/name": "casus-api"}
    assert pdb["maxUnavailable"] < soort("Deployment")["casus-api"]["spec"]["replicas"]


def test_every_secret_key_a_pod_mounts_is_generated() -> None:
    gegenereerd = {g["name"]: {Path(f).name for f in g["files"]} for g in kustomization()["secretGenerator"]}
    configmaps = {g["name"] for g in kustomization()["configMapGenerator"]} | set(soort("ConfigMap"))
    for _, doc in manifesten():
        template = doc.get("spec", {}).get("template", {}).get("spec", {})
        for volume in template.get("volumes", []):
            if "secret" in volume:
                naam = volume["secret"]["secretName"]
                assert naam in gegenereerd, naam
                assert {i["key"] for i in volume["secret"].get("items", [])} <= gegenereerd[naam]
            if "configMap" in volume:
                assert volume["configMap"]["name"] in configmaps, volume["configMap"]["name"]


def test_the_temporal_helm_values_use_postgresql_and_mtls() -> None:
    values = yaml.safe_load((K8S / "temporal-values.yaml").read_text())
    persistence = values["server"]["config"]["persistence"]
    assert {persistence[s]["sql"]["driver"] for s in ("default", "visibility")} == {"postgres12"}
    assert values["server"]["config"]["tls"]["frontend"]["server"]["requireClientAuth"] is True
    data = soort("ConfigMap")["casus-settings"]["data"]
    assert data["CASUS_TEMPORAL_TLS_SERVER_NAME"] == values["server"]["config"]["tls"]["frontend"]["client"]["serverName"]
