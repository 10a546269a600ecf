"""`incident-console sync` end to end: a store filled through `exec`, a fake PagerDuty on
127.0.0.1, and the exits, messages and JSON a user sees."""

from __future__ import annotations

import json
import os

import pytest

from console.cli import main
from console.domain.clock import FixedClock
from tests.providers.worlds import PD_TOKEN, PagerDutyWorld
from tests.sync.helpers import real_store_class

pytestmark = pytest.mark.skipif(
    real_store_class() is None, reason="console.store is not in this build"
)

CONFIG = """
[user]
name = "Ada Lovelace"
email = "ada@example.com"

[services.payments]
paging = ["pagerduty"]

[sync]
hold_triggers_older_than = "15m"
"""


@pytest.fixture
def world(monkeypatch, tmp_path):
    clock = FixedClock("2026-03-01T12:00:00Z")
    w = PagerDutyWorld(clock)
    for name in (
        "PAGERDUTY_API_TOKEN",
        "PAGERDUTY_ROUTING_KEY",
        "STATUSPAGE_API_KEY",
        "STATUSPAGE_PAGE_ID",
        "OPSGENIE_API_KEY",
        "SLACK_WEBHOOK_URL",
        "INCIDENT_CONSOLE_STORE",
        "INCIDENT_CONSOLE_CONFIG",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PAGERDUTY_API_URL", w.served.url)
    monkeypatch.setenv("PAGERDUTY_API_TOKEN", PD_TOKEN)
    monkeypatch.setenv("PAGERDUTY_FROM", "ada@example.com")
    (tmp_path / "config.toml").write_text(CONFIG)
    yield w
    w.close()


def cli(tmp_path, *args):
    return main(
        ["--store", str(tmp_path / "store"), "--config", str(tmp_path / "config.toml"), *args]
    )


def test_once_sends_and_says_so(world, tmp_path, capsys):
    assert (
        cli(
            tmp_path,
            "exec",
            'declare sev2 "Payments degraded" --service payments',
            "ack",
            'note "rolling back"',
        )
        == 0
    )
    capsys.readouterr()
    assert cli(tmp_path, "sync", "--once") == 0
    out = capsys.readouterr().out
    assert "sent 3, superseded 0, failed 0" in out and "pagerduty: ok" in out
    assert "statuspage: off" in out
    (remote,) = world.fake.incidents.values()
    assert remote["status"] == "acknowledged" and len(world.fake.notes[remote["id"]]) == 1
    assert cli(tmp_path, "sync", "--once", "--json") == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["sent"] == 0 and doc["providers"][0]["text"] == "pagerduty: ok"
    assert PD_TOKEN not in out


def test_once_exits_1_when_a_change_failed_for_good(world, tmp_path, capsys):
    from console.providers.fakes.base import Fault, writes

    cli(tmp_path, "exec", 'declare sev2 "Payments degraded" --service payments')
    capsys.readouterr()
    world.fake.inject(Fault("status", status=400, match=writes))  # final: never retried
    assert cli(tmp_path, "sync", "--once") == 1
    assert "failed 1" in capsys.readouterr().out
    world.fake.inject(Fault("status", status=400, match=writes))
    cli(tmp_path, "exec", "ack")
    capsys.readouterr()
    assert cli(tmp_path, "sync", "--once", "--json") == 1
    assert json.loads(capsys.readouterr().out)["failed"] == 1
    assert cli(tmp_path, "sync", "--once") == 0  # this pass: nothing new failed


def test_read_only_sends_nothing(world, tmp_path, capsys):
    cli(tmp_path, "exec", 'declare sev2 "Payments degraded" --service payments')
    capsys.readouterr()
    assert cli(tmp_path, "--read-only", "sync", "--once") == 0
    assert "read-only: nothing was sent" in capsys.readouterr().out
    assert world.fake.writes() == []


def test_no_credentials_is_off_not_an_error(world, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PAGERDUTY_API_TOKEN")
    cli(tmp_path, "exec", 'declare sev2 "Payments degraded" --service payments')
    capsys.readouterr()
    assert cli(tmp_path, "sync", "--once") == 0
    out = capsys.readouterr().out
    assert "pagerduty: off" in out and "nothing was sent" in out


def test_held_triggers_are_listed_then_sent_on_request(world, tmp_path, capsys):
    from console.store import Store

    cli(tmp_path, "exec", 'declare sev2 "Payments degraded" --service payments')
    # make the queued declare old: the store is shared, so a second process would see it
    store = Store.open(tmp_path / "store")
    (intent,) = store.intents.values()
    store.close()
    old = dict(intent, created_at="2020-01-01T00:00:00Z")
    from console.sync.engine import Batch

    store = Store.open(tmp_path / "store")
    store.transact(lambda _s: Batch(intents=[old]))
    store.close()
    capsys.readouterr()
    assert cli(tmp_path, "sync", "--once") == 0
    out = capsys.readouterr().out
    assert (
        "held (1)" in out and "INC-1 incident.declare to pagerduty" in out and "--send-held" in out
    )
    assert world.fake.incidents == {}
    assert cli(tmp_path, "sync", "--once", "--send-held") == 0
    assert len(world.fake.incidents) == 1


def test_a_loose_credentials_file_is_refused_by_name(world, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("PAGERDUTY_API_TOKEN")
    creds = tmp_path / "credentials.toml"
    creds.write_text(f'[pagerduty]\napi_token = "{PD_TOKEN}"\n')
    os.chmod(creds, 0o644)
    assert cli(tmp_path, "sync", "--once") == 2
    err = capsys.readouterr().err
    assert str(creds) in err and "chmod 600" in err and PD_TOKEN not in err
    os.chmod(creds, 0o600)
    assert cli(tmp_path, "sync", "--once") == 0


def test_bad_sync_config_is_named(world, tmp_path, capsys):
    (tmp_path / "config.toml").write_text(CONFIG + "poll_secs = 3\n")
    assert cli(tmp_path, "sync", "--once") == 2
    assert "[sync]: unknown key 'poll_secs'" in capsys.readouterr().err


def test_plain_http_to_a_real_host_is_refused(world, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PAGERDUTY_API_URL", "http://api.pagerduty.com")
    assert cli(tmp_path, "sync", "--once") == 2
    assert (
        "env PAGERDUTY_API_URL: plain http is allowed only on loopback" in capsys.readouterr().err
    )


def test_a_drill_store_is_refused_with_real_providers(world, tmp_path, capsys, monkeypatch):
    from console.store import Store

    Store.open(tmp_path / "store", kind="drill").close()
    monkeypatch.setenv("PAGERDUTY_API_URL", "https://api.pagerduty.com")
    assert cli(tmp_path, "sync", "--once") == 1
    assert "drill store" in capsys.readouterr().err
