"""Settings, read once from the environment (prefix CASUS_), with working local defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_state_dir() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "casus"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CASUS_", extra="ignore")

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
    temporal_ui_port: int = 8233
    task_queue: str = "casus"
    projection_poll_seconds: float = 0.2
    projection_batch: int = 500
    metrics_host: str = "127.0.0.1"
    metrics_port: int = 9464

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
