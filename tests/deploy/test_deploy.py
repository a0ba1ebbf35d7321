"""The deploy files: the Compose file against the Compose specification (docker-compose `config`,
no engine needed), the Kubernetes manifests against the API schemas (kubernetes-validate), the
settings module and both deploy files agreeing on every variable's name and default, each signing
key in the one process that signs with it, and the WORM bucket the signed heads go to."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_origin

import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr, TypeAdapter
from pydantic_settings import BaseSettings

from api.instellingen import OidcInstellingen
from eventstore.controlepunt import ControlepuntSettings
from runtime.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES = "1.33.0"
PRODUCT = ("domain", "workflows", "activities", "projections", "eventstore", "runtime", "casus_cli", "api", "service", "casus_verify",
           "worker.py")  # fmt: skip
CASUS_SERVICES = ("migreer", "worker", "projecties", "api", "casus", "beheer", "controlepunten")
# The settings classes the product reads from the environment, with their prefixes.
INSTELLINGEN: tuple[tuple[str, type[BaseSettings]], ...] = (
    ("CASUS_", Settings), ("CASUS_OIDC_", OidcInstellingen), ("CASUS_CONTROLEPUNT_", ControlepuntSettings),
)  # fmt: skip
# Only for validating the Compose file: the variables it requires from the shell or an .env file.
COMPOSE_ENV = {
    "TEMPORAL_DB_PASSWORD": "only-for-validation", "CASUS_OIDC_ISSUER": "https://sso.example.nl/realms/casus",
    "WORM_BUCKET": "casus-controlepunten", "WORM_AWS_CLI_IMAGE": "amazon/aws-cli@sha256:" + "0" * 64,
}  # fmt: skip
WORM = DEPLOY / "worm"
# The signing keys: the Secret (Kubernetes) and the secret (Compose) each is, and the one pod or
# service that may mount it.
WORKER_SLEUTEL = ("casus-worker-sleutel", "worker_sleutel", "casus-worker", "worker")
CONTROLEPUNT_SLEUTEL = ("casus-controlepunt-sleutel", "controlepunt_sleutel", "casus-controlepunten", "controlepunten")

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
    "CASUS_API_HOST": "reached from outside the container, behind the TLS-terminating Ingress or proxy",
    "CASUS_API_URL": "the CLI reaches the API's service name (Compose) or the Ingress's host (Kubernetes)",
    "CASUS_OIDC_ISSUER": "required, no default: the organisation's own OpenID Connect provider",
    "CASUS_WORKER_SLEUTEL": "the worker signs with its key, a secret mounted for it alone",
    "CASUS_WORKER_PUBLIEKE_SLEUTELS": "the trusted worker public keys, mounted where signatures are checked",
    "CASUS_CONTROLEPUNT_SLEUTEL": "the checkpointer signs with its key, a secret mounted for it alone",
    "CASUS_CONTROLEPUNT_MAP": "the checkpoint log on the checkpointer's own volume (and read-only for beheer)",
    "CASUS_CONTROLEPUNT_PUBLIEK": "who checks the heads holds the public key, not the private one",
}


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


# Read by the product but never set in a deployment: the fault points `make faults` kills a worker at.
ALLEEN_IN_PROEVEN = {"CASUS_STORINGSPUNT", "CASUS_STORINGSPUNT_MERK"}
# Read only by the CLI on a caseworker's own machine (casus_cli/tokens.py, casus_cli/inloggen.py): where
# its tokens are kept and which scope it asks for. No deployed service reads them.
ALLEEN_OP_DE_WERKPLEK = {"CASUS_TOKEN", "CASUS_TOKEN_BESTAND", "CASUS_OIDC_SCOPE", "XDG_CONFIG_HOME"}


def variabelen_van_de_code() -> set[str]:
    """Every environment variable the product reads: the settings, and any read directly."""
    namen = {f"{voorvoegsel}{naam.upper()}" for voorvoegsel, klasse in INSTELLINGEN for naam in klasse.model_fields}
    direct = re.compile(r"""(?:environ\.get|environ\[|getenv)\(?\s*["']([A-Z][A-Z0-9_]+)["']""")
    for deel in PRODUCT:
        for bestand in [ROOT / deel] if deel.endswith(".py") else (ROOT / deel).rglob("*.py"):
            namen |= set(direct.findall(bestand.read_text(encoding="utf-8")))
    return namen - ALLEEN_IN_PROEVEN - ALLEEN_OP_DE_WERKPLEK


def test_the_scan_finds_the_settings_and_the_direct_reads() -> None:
    namen = variabelen_van_de_code()
    assert {"CASUS_EVENTSTORE", "CASUS_TEMPORAL_API_KEY", "CASUS_SECRETS_DIR", "XDG_STATE_HOME", "CASUS_API_URL"} <= namen
    assert {"CASUS_OIDC_ISSUER", "CASUS_OIDC_AUDIENCE", "CASUS_OIDC_ROL_VOORVOEGSEL"} <= namen


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


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables interpolated)."""
    programma = shutil.which("docker-compose")
    if programma is None:
        if ci():
            pytest.fail("docker-compose is not installed and CI is set (make test installs Debian's package)")
        pytest.skip("docker-compose is not installed")
    env = os.environ | COMPOSE_ENV
    r = subprocess.run([programma, "-f", str(DEPLOY / "docker-compose.yml"), "config"], capture_output=True, text=True, env=env,
                       timeout=120, check=False)  # fmt: skip
    assert r.returncode == 0, r.stderr
    resolved: dict[str, Any] = yaml.safe_load(r.stdout)
    return resolved


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


def _kustomization() -> dict[str, Any]:
    k: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return k


def manifesten() -> Iterator[tuple[str, dict[str, Any]]]:
    for bestand in _kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / bestand).read_text()):
            if doc:
                yield bestand, doc


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def _pods() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every pod template of the manifests, by the name of what runs it."""
    for _, doc in manifesten():
        spec = doc.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", {}).get("template") or spec.get("template")
        if template:
            yield doc["metadata"]["name"], template["spec"]


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
    for generator in _kustomization()["secretGenerator"] + _kustomization()["configMapGenerator"]:
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
        for container in _containers(doc.get("spec", {}).get("template", {}).get("spec", {})):
            beeld = container["image"]
            assert beeld.startswith("casus:") or re.search(r"@sha256:[0-9a-f]{64}$", beeld), f"{beeld} is not pinned by digest"


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


def test_the_api_deployment_is_ready_when_its_parts_answer_and_holds_the_master_key() -> None:
    data = _soort("ConfigMap")["casus-settings"]["data"]
    api = _soort("Deployment")["casus-api"]["spec"]
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
    data = _soort("ConfigMap")["casus-settings"]["data"]
    service = _soort("Service")["casus-api"]["spec"]
    assert service.get("type", "ClusterIP") == "ClusterIP"
    assert service["selector"] == {"app.kubernetes.io/name": "casus-api"}
    assert [(p["port"], p["targetPort"]) for p in service["ports"]] == [(int(data["CASUS_API_PORT"]), "http")]
    ingress = _soort("Ingress")["casus-api"]["spec"]
    assert ingress["tls"] and all(t["secretName"] for t in ingress["tls"])
    beveiligd = {h for t in ingress["tls"] for h in t["hosts"]}
    for regel in ingress["rules"]:
        assert regel["host"] in beveiligd, f"{regel['host']} is served without TLS"
        for pad in regel["http"]["paths"]:
            assert pad["backend"]["service"] == {"name": "casus-api", "port": {"name": "http"}}
    assert data["CASUS_API_URL"] in {f"https://{h}" for h in beveiligd}


def test_node_drains_leave_an_api_pod_serving() -> None:
    pdb = _soort("PodDisruptionBudget")["casus-api"]["spec"]
    assert pdb["selector"]["matchLabels"] == {"app.kubernetes.io/name": "casus-api"}
    assert pdb["maxUnavailable"] < _soort("Deployment")["casus-api"]["spec"]["replicas"]


def test_every_secret_key_a_pod_mounts_is_generated() -> None:
    gegenereerd = {g["name"]: {Path(f).name for f in g["files"]} for g in _kustomization()["secretGenerator"]}
    configmaps = {g["name"] for g in _kustomization()["configMapGenerator"]} | set(_soort("ConfigMap"))
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


# --- The signing keys and the WORM bucket --------------------------------------------------------


def _houders_k8s(secret: str) -> set[str]:
    """The pods that mount Secret `secret` (in any container)."""
    return {naam for naam, pod in _pods() for v in pod.get("volumes", []) if v.get("secret", {}).get("secretName") == secret}


def _houders_compose(compose: dict[str, Any], geheim: str) -> set[str]:
    return {
        naam for naam, service in compose["services"].items()
        for s in service.get("secrets", []) if (s.get("source") if isinstance(s, dict) else s) == geheim
    }  # fmt: skip


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container.get("env", [])}


@pytest.mark.parametrize("sleutel", [WORKER_SLEUTEL, CONTROLEPUNT_SLEUTEL], ids=["worker", "controlepunt"])
def test_each_signing_key_is_mounted_by_its_own_process_alone(compose: dict[str, Any], sleutel: tuple[str, str, str, str]) -> None:
    secret, geheim, pod, service = sleutel
    assert _houders_k8s(secret) == {pod}
    assert _houders_compose(compose, geheim) == {service}
    # A Secret of its own: a pod that mounts casus-secrets can never be given the key by an item.
    bestanden = {g["name"]: [Path(f).name for f in g["files"]] for g in _kustomization()["secretGenerator"]}
    assert len(bestanden[secret]) == 1 and not any(f.endswith(".ed25519") for f in bestanden["casus-secrets"])
    sleutelbestanden = {n: b["file"] for n, b in compose["secrets"].items() if str(b["file"]).endswith(".ed25519")}
    assert set(sleutelbestanden) == {WORKER_SLEUTEL[1], CONTROLEPUNT_SLEUTEL[1]} and len(set(sleutelbestanden.values())) == 2


def test_only_the_signers_are_told_where_a_private_key_is(compose: dict[str, Any]) -> None:
    """The variable naming a private key is set for the worker and the checkpointer only; the
    ConfigMap and the Compose defaults leave it empty."""
    data = _soort("ConfigMap")["casus-settings"]["data"]
    assert data["CASUS_WORKER_SLEUTEL"] == "" and data["CASUS_CONTROLEPUNT_SLEUTEL"] == ""
    for variabele, pod, service in (("CASUS_WORKER_SLEUTEL", "casus-worker", "worker"),
                                    ("CASUS_CONTROLEPUNT_SLEUTEL", "casus-controlepunten", "controlepunten")):  # fmt: skip
        gezet_k8s = {naam for naam, p in _pods() for c in _containers(p) if _env(c).get(variabele)}
        assert gezet_k8s == {pod}, variabele
        gezet_compose = {n for n, v in compose["services"].items() if v.get("environment", {}).get(variabele)}
        assert gezet_compose == {service}, variabele


@pytest.mark.parametrize("pod_naam, bestand", [("casus-worker", "worker.ed25519"), ("casus-controlepunten", "controlepunt.ed25519")])
def test_a_signing_key_reaches_its_process_as_a_file_of_its_own_in_memory(pod_naam: str, bestand: str) -> None:
    """A mounted Secret is root's and, with fsGroup, group-readable, which the key loader refuses
    (eventstore/sleutelbestand.py): an init container copies it, mode 0400, into a memory-backed
    volume; the process reads that copy, and only the init container mounts the Secret."""
    pod = dict(_pods())[pod_naam]
    volumes = {v["name"]: v for v in pod["volumes"]}
    geheim = next(n for n, v in volumes.items() if any(i["key"] == bestand for i in v.get("secret", {}).get("items", [])))
    assert volumes[geheim]["secret"]["defaultMode"] in (0o400, 0o600)
    kopie = next(c for c in pod["initContainers"] if any(m["name"] == geheim for m in c["volumeMounts"]))
    assert kopie["command"][:3] == ["install", "-m", "0400"]
    doel = kopie["command"][-1]
    geheugen = next(m for m in kopie["volumeMounts"] if doel.startswith(m["mountPath"] + "/"))
    assert volumes[geheugen["name"]]["emptyDir"]["medium"] == "Memory"
    hoofd = pod["containers"][0]
    assert not any(m["name"] == geheim for c in pod["containers"] for m in c["volumeMounts"]), (
        "the Secret itself in a long-running container"
    )
    assert any(m["name"] == geheugen["name"] and m.get("readOnly") for m in hoofd["volumeMounts"])
    assert doel in _env(hoofd).values()


def test_the_worker_public_keys_are_mounted_where_signatures_are_checked(compose: dict[str, Any]) -> None:
    """The worker (another decision's events), the API and `beheer` (`casus verifieer`) read the
    trusted worker public keys from a mounted directory; no private key comes with them."""
    for naam in ("casus-worker", "casus-api"):
        pod = dict(_pods())[naam]
        pad = _env(pod["containers"][0])["CASUS_WORKER_PUBLIEKE_SLEUTELS"]
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == pad)
        assert next(v for v in pod["volumes"] if v["name"] == mount["name"])["configMap"]["name"] == "casus-worker-publiek"
    for naam in ("worker", "api", "beheer"):
        service = compose["services"][naam]
        pad = service["environment"]["CASUS_WORKER_PUBLIEKE_SLEUTELS"]
        assert [c for c in service["configs"] if c["source"] == "worker_publiek" and Path(c["target"]).parent == Path(pad)], naam
    beheer = compose["services"]["beheer"]
    assert [c for c in beheer["configs"] if c["target"] == beheer["environment"]["CASUS_CONTROLEPUNT_PUBLIEK"]]
    assert not _houders_compose(compose, CONTROLEPUNT_SLEUTEL[1]) & {"beheer", "api"}


def _bucket_naam() -> str:
    beleid = json.loads((WORM / "bucket-policy.json").read_text())
    namen = {r.split(":::")[1].split("/")[0] for s in beleid["Statement"] for r in ([s["Resource"]] if isinstance(s["Resource"], str)
             else s["Resource"])}  # fmt: skip
    assert len(namen) == 1, namen
    return namen.pop()


def test_exactly_one_checkpointer_signs_every_minute_and_sends_its_heads_to_the_worm_bucket() -> None:
    deployment = _soort("Deployment")["casus-controlepunten"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"] == {"type": "Recreate"}  # two would fork the log
    pod = deployment["template"]["spec"]
    tekenaar, worm = pod["containers"]
    script = " ".join(tekenaar["command"])
    assert "casus controlepunt maak" in script and "sleep 60" in script
    assert _env(tekenaar)["CASUS_POSTGRES_USER"] == "projecties"  # reads events, writes none
    kaart = _env(tekenaar)["CASUS_CONTROLEPUNT_MAP"]
    log = next(m for m in tekenaar["volumeMounts"] if kaart.startswith(m["mountPath"]))
    claim = next(v for v in pod["volumes"] if v["name"] == log["name"])["persistentVolumeClaim"]["claimName"]
    assert _soort("PersistentVolumeClaim")[claim]["spec"]["accessModes"] == ["ReadWriteOnce"]

    herstel = next(c for c in pod["initContainers"] if "herstel" in c["command"])
    for container, taak in ((worm, "stuur"), (herstel, "herstel")):
        assert container["command"][-2:] == ["/opt/worm/worm-sync.sh", taak]
        assert container["image"] == "amazon/aws-cli"
        omgeving = _env(container)
        assert omgeving["CASUS_CONTROLEPUNT_MAP"] == kaart and omgeving["WORM_BUCKET"] == _bucket_naam()
        assert any(m["name"] == log["name"] for m in container["volumeMounts"])
    assert int(_env(worm)["WORM_INTERVAL_S"]) <= 60
    gepind = {i["name"]: i for i in _kustomization()["images"]}["amazon/aws-cli"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", gepind["digest"]) and "newTag" not in gepind
    script_map = next(v for v in pod["volumes"] if v["name"] == "worm-sync")["configMap"]["name"]
    assert {g["name"]: g["files"] for g in _kustomization()["configMapGenerator"]}[script_map] == ["worm-sync.sh"]
    account = _soort("ServiceAccount")[pod["serviceAccountName"]]
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"] in json.dumps(
        json.loads((WORM / "bucket-policy.json").read_text())
    )


def test_compose_runs_the_checkpointer_and_its_sync_too(compose: dict[str, Any]) -> None:
    services = compose["services"]
    tekenaar, worm = services["controlepunten"], services["worm"]
    assert "casus controlepunt maak" in " ".join(tekenaar["command"])
    assert tekenaar["deploy"]["replicas"] == 1
    assert tekenaar["environment"]["CASUS_POSTGRES_USER"] == "projecties"
    assert worm["entrypoint"] == ["sh", "/opt/worm/worm-sync.sh"] and worm["command"] == ["stuur"]
    assert worm["image"] == COMPOSE_ENV["WORM_AWS_CLI_IMAGE"]  # required: the image pinned by digest
    assert worm["environment"]["CASUS_CONTROLEPUNT_MAP"] == tekenaar["environment"]["CASUS_CONTROLEPUNT_MAP"]
    volume = {str(v).split(":")[0] if isinstance(v, str) else v["source"] for v in tekenaar["volumes"]}
    assert volume <= {str(v).split(":")[0] if isinstance(v, str) else v["source"] for v in worm["volumes"]}
    assert _houders_compose(compose, "worm_aws_credentials") == {"worm"}


def test_the_worm_bucket_keeps_every_head_in_compliance_mode() -> None:
    slot = json.loads((WORM / "bucket-object-lock.json").read_text())
    assert slot["ObjectLockEnabled"] == "Enabled"
    bewaring = slot["Rule"]["DefaultRetention"]
    assert bewaring["Mode"] == "COMPLIANCE"  # GOVERNANCE could be lifted by an administrator
    assert bewaring.get("Years", 0) >= 7 or bewaring.get("Days", 0) >= 7 * 365


def test_the_bucket_policy_lets_no_one_delete_overwrite_or_shorten() -> None:
    beleid = json.loads((WORM / "bucket-policy.json").read_text())
    geweigerd: set[str] = set()
    for s in beleid["Statement"]:
        acties = {s["Action"]} if isinstance(s["Action"], str) else set(s["Action"])
        if s["Effect"] == "Deny" and s["Principal"] == "*" and "Condition" not in s:
            geweigerd |= acties
        if s["Effect"] == "Allow":
            assert not any("Delete" in a or ("Retention" in a and a.startswith("s3:Put")) or a == "s3:*" for a in acties), s
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectRetention", "s3:BypassGovernanceRetention",
            "s3:PutBucketObjectLockConfiguration"} <= geweigerd  # fmt: skip
    zonder_voorwaarde = [s for s in beleid["Statement"] if s["Effect"] == "Deny" and s["Action"] == "s3:PutObject"]
    assert [s["Condition"]["Null"] for s in zonder_voorwaarde] == [{"s3:if-none-match": "true"}], "every write is If-None-Match: *"
    script = (K8S / "worm-sync.sh").read_text()
    assert "--if-none-match '*'" in script and "aws s3 cp " not in script and "--delete" not in script
