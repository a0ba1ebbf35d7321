"""The alert rules and the example Prometheus configuration in deploy/prometheus, checked with
promtool (Debian's prometheus package; `make test` installs it when missing), and the rules' own
unit tests (casus-alerts.test.yaml) run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.metriek_hulp import REGELS

PROMETHEUS = REGELS.parent


def promtool() -> str:
    pad = shutil.which("promtool")
    if pad is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("promtool is not installed (make test installs Debian's prometheus package)")
        pytest.skip("promtool is not installed")
    return pad


def _promtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([promtool(), *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120, check=False)


def test_the_alert_rules_are_valid() -> None:
    r = _promtool("check", "rules", REGELS.name)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def test_the_alert_rules_pass_their_unit_tests() -> None:
    r = _promtool("test", "rules", "casus-alerts.test.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "SUCCESS" in r.stdout


def test_the_example_configuration_is_valid_and_loads_the_rules() -> None:
    r = _promtool("check", "config", "prometheus.yml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "casus-alerts.yaml" in r.stdout


def test_a_broken_rule_unit_test_fails(tmp_path: Path) -> None:
    """The check can fail: an alert expected that the rules do not raise."""
    (tmp_path / REGELS.name).write_text(REGELS.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "fout.test.yaml").write_text(
        "rule_files: [casus-alerts.yaml]\n"
        "tests:\n"
        "  - interval: 1m\n"
        "    input_series:\n"
        "      - series: 'casus_quarantaine_gebeurtenissen{soort=\"gewijzigd\"}'\n"
        "        values: '0x10'\n"
        "    alert_rule_test:\n"
        "      - eval_time: 5m\n"
        "        alertname: CasusQuarantaine\n"
        "        exp_alerts: [{exp_labels: {severity: critical}}]\n",
        encoding="utf-8",
    )
    r = subprocess.run(
        [promtool(), "test", "rules", "fout.test.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert r.returncode != 0 and "FAILED" in r.stdout + r.stderr
