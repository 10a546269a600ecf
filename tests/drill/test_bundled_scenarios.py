"""Each bundled scenario, headless, with a responses file that meets every objective and
one that misses some; the reports say so."""

from __future__ import annotations

import pytest

from console.drill import list_scenarios, start_drill
from tests.drill.conftest import BUNDLED, responses


def test_the_issue_s_four_scenarios_and_the_default_ship():
    names = {s.name for s in list_scenarios()}
    assert {
        "payments-degraded",
        "database-failover",
        "alert-storm",
        "provider-outage",
        "welcome",
    } <= names
    for info in list_scenarios():
        assert info.title and info.summary and info.title != "(unreadable)"


def _play(name, which, root):
    session = start_drill(name, root=root, headless=True, responses=responses(name, which))
    try:
        return session, session.run_headless()
    finally:
        session.close()


@pytest.mark.parametrize("name", BUNDLED)
def test_meets_every_objective(name, drill_root):
    session, report = _play(name, "meets", drill_root)
    assert session.finished
    assert report.data["objectives"], "a bundled scenario has objectives"
    missed = [o for o in report.data["objectives"] if not o["met"]]
    assert not missed, missed
    assert report.all_met
    assert not report.data["script"], report.data["script"]
    n = report.data["score"]["total"]
    assert f"## Score: {n} of {n} objectives met" in report.markdown
    assert "MISSED" not in report.markdown


@pytest.mark.parametrize("name", BUNDLED)
def test_misses_some_objectives(name, drill_root):
    _session, report = _play(name, "misses", drill_root)
    missed = [o for o in report.data["objectives"] if not o["met"]]
    assert missed
    assert not report.all_met
    assert "MISSED" in report.markdown
    for o in missed:
        assert o["objective"] in report.markdown


def test_each_drill_starts_empty_so_the_first_incident_is_inc_1(drill_root):
    first, _ = _play("payments-degraded", "meets", drill_root)
    second, _ = _play("payments-degraded", "meets", drill_root)
    assert first.store.path != second.store.path
    assert first.store.path.parent == drill_root
    for s in (first, second):
        assert sorted(s.store.state.incidents) == ["INC-1"]
        assert s.store.kind == "drill"


def test_payments_degraded_escalates_to_the_secondary_before_the_ack(drill_root):
    _session, report = _play("payments-degraded", "meets", drill_root)
    escalations = report.data["escalations"]
    assert escalations and escalations[0]["level"] == 2
    assert escalations[0]["at"] < "2026-12-01T14:16:00Z"  # the ack came at +16m
    inc = report.data["incidents"]["INC-1"]
    assert inc["declared_severity"] == 2 and inc["status"] == "resolved"


def test_database_failover_suppresses_the_window_s_alerts_only(drill_root):
    session, report = _play("database-failover", "meets", drill_root)
    assert report.data["alerts"]["alert_suppressed"] == 2
    # checkout's alert in the window and the database's after it are real incidents
    services = {i.id: i.service for i in session.store.state.incidents.values()}
    assert services == {"INC-1": "checkout", "INC-2": "database"}


def test_alert_storm_folds_hundreds_of_alerts_into_a_few_incidents(drill_root):
    session, report = _play("alert-storm", "misses", drill_root)
    alerts = report.data["alerts"]
    assert alerts["alert_triggered"] + alerts["alert_updated"] == 400
    assert alerts["alert_updated"] > 300
    assert len(session.store.state.incidents) == 4
    # the Markdown stays readable: repeats are counted, not listed
    assert "repeated alerts (deduplicated) are left out" in report.markdown
    assert report.markdown.count("\n") < 400
