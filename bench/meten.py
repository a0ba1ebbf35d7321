"""Shared measuring: repetitions, medians, percentiles, throwaway PostgreSQL databases."""

from __future__ import annotations

import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from runtime.settings import Settings


def snel() -> bool:
    """The quick mode (BENCH_QUICK=1): small sizes, so that a smoke run shows every figure lands."""
    return os.environ.get("BENCH_QUICK", "") not in ("", "0")


HERHALINGEN = 3 if snel() else 5


def mediaan(waarden: list[float]) -> float:
    return statistics.median(waarden)


def percentiel(waarden: list[float], p: float) -> float:
    geordend = sorted(waarden)
    return geordend[min(len(geordend) - 1, max(0, round(p / 100 * len(geordend)) - 1))]


def tijd(werk: Callable[[], object]) -> float:
    start = time.perf_counter()
    werk()
    return time.perf_counter() - start


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=os.environ.get("CASUS_BENCH_POSTGRES_HOST", "127.0.0.1"), user="postgres", dbname="postgres", autocommit=True
    )


@contextmanager
def postgres(state_dir: Path) -> Iterator[Settings]:
    naam = f"casus_bench_{uuid.uuid4().hex[:10]}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{naam}"')
        try:
            yield Settings(state_dir=state_dir, eventstore="postgres", postgres_host=admin.info.host, postgres_user="postgres",
                           postgres_dbname=naam, postgres_pool_size=4)  # fmt: skip
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


def verbind(settings: Settings) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        host=settings.postgres_host, port=settings.postgres_port, user=settings.postgres_user, dbname=settings.postgres_dbname
    )
