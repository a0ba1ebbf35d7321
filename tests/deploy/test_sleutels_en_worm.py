"""The signing keys, each in the one process that signs with it, and the WORM bucket the signed
checkpoint heads go to (deploy/k8s, deploy/docker-compose.yml, deploy/worm)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.bestanden import (
    COMPOSE_ENV,
    CONTROLEPUNT_SLEUTEL,
    K8S,
    WORKER_SLEUTEL,
    WORM,
    containers,
    kustomization,
    pods,
    soort,
)


def _houders_k8s(secret: str) -> set[str]:
    """The pods that mount Secret `secret` (in any container)."""
    return {naam for naam, pod in pods() for v in pod.get("volumes", []) if v.get("secret", {}).get("secretName") == secret}


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
    bestanden = {g["name"]: [Path(f).name for f in g["files"]] for g in kustomization()["secretGenerator"]}
    assert len(bestanden[secret]) == 1 and not any(f.endswith(".ed25519") for f in bestanden["casus-secrets"])
    sleutelbestanden = {n: b["file"] for n, b in compose["secrets"].items() if str(b["file"]).endswith(".ed25519")}
    assert set(sleutelbestanden) == {WORKER_SLEUTEL[1], CONTROLEPUNT_SLEUTEL[1]} and len(set(sleutelbestanden.values())) == 2


def test_only_the_signers_are_told_where_a_private_key_is(compose: dict[str, Any]) -> None:
    """The variable naming a private key is set for the worker and the checkpointer only; the
    ConfigMap and the Compose defaults leave it empty."""
    data = soort("ConfigMap")["casus-settings"]["data"]
    assert data["CASUS_WORKER_SLEUTEL"] == "" and data["CASUS_CONTROLEPUNT_SLEUTEL"] == ""
    for variabele, pod, service in (("CASUS_WORKER_SLEUTEL", "casus-worker", "worker"),
                                    ("CASUS_CONTROLEPUNT_SLEUTEL", "casus-controlepunten", "controlepunten")):  # fmt: skip
        gezet_k8s = {naam for naam, p in pods() for c in containers(p) if _env(c).get(variabele)}
        assert gezet_k8s == {pod}, variabele
        gezet_compose = {n for n, v in compose["services"].items() if v.get("environment", {}).get(variabele)}
        assert gezet_compose == {service}, variabele


@pytest.mark.parametrize("pod_naam, bestand", [("casus-worker", "worker.ed25519"), ("casus-controlepunten", "controlepunt.ed25519")])
def test_a_signing_key_reaches_its_process_as_a_file_of_its_own_in_memory(pod_naam: str, bestand: str) -> None:
    """A mounted Secret is root's and, with fsGroup, group-readable, which the key loader refuses
    (eventstore/sleutelbestand.py): an init container copies it, mode 0400, into a memory-backed
    volume; the process reads that copy, and only the init container mounts the Secret."""
    pod = dict(pods())[pod_naam]
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
        pod = dict(pods())[naam]
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
    deployment = soort("Deployment")["casus-controlepunten"]["spec"]
    assert deployment["replicas"] == 1 and deployment["strategy"] == {"type": "Recreate"}  # two would fork the log
    pod = deployment["template"]["spec"]
    tekenaar, worm = pod["containers"]
    script = " ".join(tekenaar["command"])
    assert "casus controlepunt maak" in script and "sleep 60" in script
    assert _env(tekenaar)["CASUS_POSTGRES_USER"] == "projecties"  # reads events, writes none
    kaart = _env(tekenaar)["CASUS_CONTROLEPUNT_MAP"]
    log = next(m for m in tekenaar["volumeMounts"] if kaart.startswith(m["mountPath"]))
    claim = next(v for v in pod["volumes"] if v["name"] == log["name"])["persistentVolumeClaim"]["claimName"]
    assert soort("PersistentVolumeClaim")[claim]["spec"]["accessModes"] == ["ReadWriteOnce"]

    herstel = next(c for c in pod["initContainers"] if "herstel" in c["command"])
    for container, taak in ((worm, "stuur"), (herstel, "herstel")):
        assert container["command"][-2:] == ["/opt/worm/worm-sync.sh", taak]
        assert container["image"] == "amazon/aws-cli"
        omgeving = _env(container)
        assert omgeving["CASUS_CONTROLEPUNT_MAP"] == kaart and omgeving["WORM_BUCKET"] == _bucket_naam()
        assert any(m["name"] == log["name"] for m in container["volumeMounts"])
    assert int(_env(worm)["WORM_INTERVAL_S"]) <= 60
    gepind = {i["name"]: i for i in kustomization()["images"]}["amazon/aws-cli"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", gepind["digest"]) and "newTag" not in gepind
    script_map = next(v for v in pod["volumes"] if v["name"] == "worm-sync")["configMap"]["name"]
    assert {g["name"]: g["files"] for g in kustomization()["configMapGenerator"]}[script_map] == ["worm-sync.sh"]
    account = soort("ServiceAccount")[pod["serviceAccountName"]]
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
