"""Settings, read once from the environment (prefix CASUS_), with working local defaults.

Secrets may also come from files: with CASUS_SECRETS_DIR set, a file named after the variable in
lower case (`casus_postgres_password`, `casus_master_key`, `casus_temporal_api_key`) supplies its
value, as Docker secrets and mounted Kubernetes Secrets provide them. A variable that is set wins
over its file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SecretsSettingsSource, SettingsConfigDict


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "casus"


class Settings(BaseSettings):
    # An empty variable means "the default", as deploy files leave optional settings empty.
    model_config = SettingsConfigDict(env_prefix="CASUS_", extra="ignore", env_ignore_empty=True)

    state_dir: Path = Field(default_factory=_default_state_dir)
    eventstore: Literal["sqlite", "postgres"] = "sqlite"
    sqlite_path: Path | None = None
    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "casus"
    postgres_user: str = "postgres"
    postgres_password: SecretStr = SecretStr("")
    postgres_pool_size: int = 5
    create_tables: bool = True
    master_key: SecretStr = SecretStr("")
    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    temporal_tls: bool = False
    """TLS to the Temporal frontend; implied by a CA, a client certificate or an API key."""
    temporal_tls_ca_path: Path | None = None
    """The CA that signed the frontend's certificate (default: the system's trust store)."""
    temporal_tls_cert_path: Path | None = None
    """mTLS: this client's certificate (with temporal_tls_key_path)."""
    temporal_tls_key_path: Path | None = None
    temporal_tls_server_name: str | None = None
    """The name the frontend's certificate carries, when it differs from the address's host."""
    temporal_api_key: SecretStr = SecretStr("")
    temporal_ui_port: int = 8233
    task_queue: str = "casus"
    wacht_op_worker_s: float = 30.0
    """How long the CLI waits for a worker to take a melding or action before it says so (exit 3)."""
    worker_shutdown_seconds: float = 30.0
    """On SIGTERM the worker stops polling and gives running activities this long to finish;
    a Kubernetes termination grace period must be longer."""
    secrets_dir: Path | None = None
    projection_poll_seconds: float = 0.2
    projection_batch: int = 500
    worker_sleutel: Path | None = None
    """The worker's Ed25519 private key (PEM, PKCS #8, mode 0600; a secret mounted for the worker
    alone, never in the database): every event it appends is signed with it. None: unsigned, also on
    the embedded stack (no key is made behind anyone's back; make one with `openssl genpkey -algorithm
    ed25519 -out FILE`). A key set but unreadable stops the worker before it appends anything."""
    worker_publieke_sleutels: str | None = None
    """The trusted worker public keys (PEM) for `casus verifieer`: files or directories of them,
    comma-separated. None: the public half of worker_sleutel when readable, else none is checked."""
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464
    api_host: str = "127.0.0.1"
    """Where `casus api` (and `casus dev`) serves the API; 0.0.0.0 in a container behind TLS termination."""
    api_port: int = 8480
    api_url: str = "http://127.0.0.1:8480"
    """Where the CLI's caseworker commands reach the API (`casus login` too)."""
    api_max_body_bytes: int = 262_144
    """The largest request body the API reads; a larger one is refused (413) before it is parsed."""
    dev_uitgever_port: int = 8481
    """The development OpenID Connect issuer of `casus dev` (127.0.0.1 only; 0: a free port)."""

    @model_validator(mode="after")
    def _mtls_in_pairs(self) -> Settings:
        if (self.temporal_tls_cert_path is None) != (self.temporal_tls_key_path is None):
            raise ValueError("CASUS_TEMPORAL_TLS_CERT_PATH and CASUS_TEMPORAL_TLS_KEY_PATH go together (mTLS needs both)")
        return self

    @property
    def temporal_uses_tls(self) -> bool:
        return bool(
            self.temporal_tls or self.temporal_tls_ca_path or self.temporal_tls_cert_path or self.temporal_api_key.get_secret_value()
        )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        folder = os.environ.get("CASUS_SECRETS_DIR")
        if not folder:
            return init_settings, env_settings
        if not Path(folder).is_dir():
            raise ValueError(f"CASUS_SECRETS_DIR={folder} is not a directory")
        return init_settings, env_settings, SecretsSettingsSource(settings_cls, secrets_dir=folder, case_sensitive=False)

    @property
    def metrics_address(self) -> str | None:
        """Where the worker serves Prometheus metrics; port 0 turns them off."""
        return f"{self.metrics_host}:{self.metrics_port}" if self.metrics_port else None

    log_format: Literal["auto", "json", "console"] = "auto"

    @property
    def events_path(self) -> Path:
        return self.sqlite_path or self.state_dir / "events.db"

    @property
    def eventstore_description(self) -> str:
        if self.eventstore == "postgres":
            return f"PostgreSQL {self.postgres_host}:{self.postgres_port}/{self.postgres_dbname}"
        return f"SQLite {self.events_path}"
