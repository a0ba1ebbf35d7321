"""The metric names agree everywhere: the alert rules and the dashboard use only names the code
exports (runtime/metriek.py; the SDK's `temporal_*` ones are checked against a live endpoint in
tests/e2e/test_metriek_dev.py), the counters the workflow and the activity make are the ones
defined there, and the dashboard shows every casus metric."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from temporalio import activity, workflow

from activities.eventstore import EventStoreActivities
from runtime import metriek
from tests.metriek_hulp import DASHBOARD, REGELS, expressies, gebruikte_namen, namen
from workflows.casus import CasusWorkflow

ROOT = Path(__file__).resolve().parents[2]


def test_the_rules_and_the_dashboard_use_only_names_the_code_exports() -> None:
    gebruikt = gebruikte_namen()
    casus = {n for n in gebruikt if n.startswith("casus_")}
    assert casus <= metriek.NAMEN, sorted(casus - metriek.NAMEN)
    assert len(expressies()) > 20


def test_the_name_extraction_sees_a_name_that_does_not_exist() -> None:
    assert namen('sum(rate(casus_acties[5m])) > 1 and up{job="casus_worker"} == 0') == {"casus_acties", "up"}
    assert "casus_acties" not in metriek.NAMEN


def test_the_dashboard_shows_every_casus_metric_and_is_valid_json() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"]
    getoond = {n for p in dashboard["panels"] for doel in p.get("targets", []) for n in namen(doel["expr"])}
    assert getoond >= metriek.NAMEN, sorted(metriek.NAMEN - getoond)
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for p in dashboard["panels"]:
        for doel in p.get("targets", []):
            assert doel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]


def test_counters_end_in_total_and_gauges_do_not() -> None:
    for m in metriek.METRIEKEN:
        assert re.fullmatch(r"casus_[a-z0-9_]+", m.naam), m.naam
        assert m.naam.endswith("_total") == (m.soort == "counter"), m.naam
        assert not m.naam.endswith("_total_total")


def test_the_counters_the_code_makes_are_the_defined_ones() -> None:
    gemaakt: set[str] = set()
    for bestand in ("workflows/casus.py", "activities/eventstore.py"):
        gemaakt |= set(re.findall(r'create_counter\(\s*"([^"]+)"', (ROOT / bestand).read_text(encoding="utf-8")))
    assert gemaakt == {metriek.ACTIES.naam, metriek.WEIGERINGEN.naam, metriek.TOEGEVOEGD.naam}


def test_the_attributes_the_worker_adds_name_the_registered_workflow_and_activity() -> None:
    """tellers_op_nul repeats what the workflow's and the activity's meters add, so that the first
    action adds to the series that was there from the start."""
    assert workflow._Definition.must_from_class(CasusWorkflow).name == metriek.WORKFLOW_TYPE
    definitie = activity._Definition.must_from_callable(EventStoreActivities.voeg_toe)
    assert definitie.name == metriek.ACTIVITY_TYPE


def test_the_quarantine_soorten_are_those_the_runner_gives() -> None:
    bron = (ROOT / "projections" / "quarantaine.py").read_text(encoding="utf-8")
    gegeven = set(re.findall(r'OngeldigeRijError\("(\w+)"', bron)) | set(re.findall(r'^ACHTERGEHOUDEN = "(\w+)"', bron, re.MULTILINE))
    assert gegeven == set(metriek.QUARANTAINE_SOORTEN)


def test_every_alert_has_a_severity_a_summary_and_a_unit_test() -> None:
    regels = [r for groep in yaml.safe_load(REGELS.read_text(encoding="utf-8"))["groups"] for r in groep["rules"]]
    getest = yaml.safe_load((REGELS.parent / "casus-alerts.test.yaml").read_text(encoding="utf-8"))
    beproefd = {t["alertname"] for test in getest["tests"] for t in test["alert_rule_test"] if t["exp_alerts"]}
    for regel in regels:
        assert regel["labels"]["severity"] in ("warning", "critical"), regel["alert"]
        assert regel["annotations"]["summary"], regel["alert"]
        assert regel["alert"] in beproefd, f"{regel['alert']} is never shown to fire in casus-alerts.test.yaml"
