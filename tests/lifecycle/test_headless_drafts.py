"""A resolve applied by any headless path leaves the postmortem draft the screen leaves:
`ingest` (an alert's resolve) and `sync` (PagerDuty's "resolved" from its poll), as
`exec` already did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.cli import main
from console.domain.clock import RealClock

ROOT = Path(__file__).resolve().parents[2]
INTAKE = ROOT / "sample_data" / "config" / "intake.toml"
ALERTS = ROOT / "sample_data" / "alerts"


def cli(tmp_path, *args, config=INTAKE):
    return main(["--store", str(tmp_path / "store"), "--config", str(config), *args])


def test_ingest_of_a_resolving_alert_writes_the_draft(tmp_path, capsys):
    assert cli(tmp_path, "ingest", str(ALERTS / "alertmanager-firing.json")) == 0
    capsys.readouterr()
    drafts = tmp_path / "store" / "postmortems"
    assert not drafts.exists() or not list(drafts.iterdir())
    assert cli(tmp_path, "ingest", str(ALERTS / "alertmanager-resolved.json")) == 0
    out = capsys.readouterr().out
    written = sorted(p.name for p in drafts.iterdir())
    assert written, out
    for name in written:
        inc = name.removesuffix(".md")
        assert f"{inc}: postmortem draft written to {drafts / name}" in out
        text = (drafts / name).read_text()
        assert text.startswith("# ") and inc in text


def test_ingest_json_names_the_drafts(tmp_path, capsys):
    cli(tmp_path, "ingest", str(ALERTS / "alertmanager-firing.json"))
    capsys.readouterr()
    assert cli(tmp_path, "ingest", "--json", str(ALERTS / "alertmanager-resolved.json")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["postmortems"] and all(Path(p).exists() for p in doc["postmortems"].values())


class _Later(RealClock):
    """The fake PagerDuty's clock: the CLI's real clock, ten seconds on. PagerDuty's log
    has whole seconds, and a resolve stamped in the same second as the local declare
    would read as older news (the engine drops news older than the last local change)."""

    def now(self):
        return super().now().add(seconds=10)


@pytest.fixture
def pagerduty(monkeypatch, tmp_path):
    from tests.providers.worlds import PD_TOKEN, PagerDutyWorld

    w = PagerDutyWorld(_Later())
    for name in ("STATUSPAGE_API_KEY", "OPSGENIE_API_KEY", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PAGERDUTY_API_URL", w.served.url)
    monkeypatch.setenv("PAGERDUTY_API_TOKEN", PD_TOKEN)
    monkeypatch.setenv("PAGERDUTY_FROM", "ada@example.com")
    (tmp_path / "pd.toml").write_text('[services.payments]\npaging = ["pagerduty"]\n')
    yield w
    w.close()


def test_sync_poll_of_a_resolve_made_in_pagerduty_writes_the_draft(pagerduty, tmp_path, capsys):
    config = tmp_path / "pd.toml"
    line = 'declare sev2 "Payments degraded" --service payments'
    assert cli(tmp_path, "exec", line, config=config) == 0
    assert cli(tmp_path, "sync", "--once", config=config) == 0
    (remote,) = pagerduty.fake.incidents.values()
    # someone resolves it in PagerDuty's web UI; the next poll brings it back
    pagerduty.fake.web_set_status(remote["id"], "resolved", pagerduty.ids["grace"])
    capsys.readouterr()
    assert cli(tmp_path, "sync", "--once", config=config) == 0
    out = capsys.readouterr().out
    draft = tmp_path / "store" / "postmortems" / "INC-1.md"
    assert draft.exists(), out
    assert f"INC-1: postmortem draft written to {draft}" in out
    assert "Payments degraded" in draft.read_text()
