"""What the deploy tests read: the Compose file as docker-compose resolves it, and the Kubernetes
manifests of the kustomization, with the pods they run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
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


def ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def compose_config() -> dict[str, Any]:
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


def kustomization() -> dict[str, Any]:
    k: dict[str, Any] = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return k


def manifesten() -> Iterator[tuple[str, dict[str, Any]]]:
    for bestand in kustomization()["resources"]:
        for doc in yaml.safe_load_all((K8S / bestand).read_text()):
            if doc:
                yield bestand, doc


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod.get("containers", [])]


def pods() -> Iterator[tuple[str, dict[str, Any]]]:
    """Every pod template of the manifests, by the name of what runs it."""
    for _, doc in manifesten():
        spec = doc.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", {}).get("template") or spec.get("template")
        if template:
            yield doc["metadata"]["name"], template["spec"]


def soort(kind: str) -> dict[str, Any]:
    gevonden = [doc for _, doc in manifesten() if doc["kind"] == kind]
    return {doc["metadata"]["name"]: doc for doc in gevonden}
