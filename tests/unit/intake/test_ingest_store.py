"""`ingest` and the receiver with the real store: durable, shared between processes."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from console.cli import main
from console.domain.clock import FixedClock
from console.receiver import AlertReceiver
from console.store import Store
from tests.unit.intake.helpers import T0, settings, trigger

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "sample_data"
CONFIG = str(SAMPLES / "config" / "intake.toml")


def ingest(tmp_path, capsys, *args):
    code = main(["--store", str(tmp_path / "store"), "--config", CONFIG, "ingest", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_ingest_a_file_of_json_lines(tmp_path, capsys):
    code, out, err = ingest(
        tmp_path,
        capsys,
        str(SAMPLES / "alerts" / "events-v2-sequence.jsonl"),
        "--at",
        "2026-08-20T10:00:00Z",
    )
    assert code == 0, err
    summary, *drafts = out.strip().splitlines()
    assert summary == (
        "ingested 10 alerts: 2 dropped, 2 opened (INC-1, INC-2), 2 resolved, "
        "1 acknowledged, 1 change, 1 deduplicated, 1 grouped"
    )
    # INC-1 was resolved by its alerts: its postmortem draft is written as a screen would
    draft = tmp_path / "store" / "postmortems" / "INC-1.md"
    assert drafts == [f"INC-1: postmortem draft written to {draft}"]
    store = Store.open(tmp_path / "store", read_only=True)
    inc1, inc2 = store.state.get("INC-1"), store.state.get("INC-2")
    assert (inc1.status, inc1.service, inc2.status, inc2.service) == (
        "resolved",
        "payments",
        "triggered",
        "database",
    )
    assert inc1.created_at == T0
    assert {e.origin for e in store.state.timeline("INC-1")} == {"intake"}
    ops = sorted(i["op"] for i in store.intents.values())
    assert ops == ["incident.ack", "incident.open", "incident.open", "incident.resolve"]


def test_dedup_holds_across_runs_and_json_output(tmp_path, capsys):
    f = tmp_path / "one.json"
    f.write_text(json.dumps(trigger("k1", routing_key="a1b2c3d4e5f60718293a4b5c6d7e8f90")))
    assert ingest(tmp_path, capsys, str(f))[0] == 0
    code, out, err = ingest(tmp_path, capsys, str(f), "--json")
    doc = json.loads(out)
    assert code == 0 and doc["alerts"] == [
        {"dedup_key": "k1", "result": "deduplicated", "incident": "INC-1", "detail": ""}
    ]
    assert doc["events"] == 1 and doc["intents"] == 0


def test_ingest_from_stdin(tmp_path, capsys, monkeypatch):
    body = json.dumps(json.loads((SAMPLES / "alerts" / "opsgenie-create.json").read_text()))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(body.encode())))
    code, out, err = ingest(tmp_path, capsys, "-")
    assert code == 0 and out.startswith("ingested 1 alert: 1 opened (INC-1)")


def test_read_only_refuses_and_creates_nothing(tmp_path, capsys):
    code = main(
        [
            "--store",
            str(tmp_path / "store"),
            "--read-only",
            "ingest",
            str(SAMPLES / "alerts" / "events-v2-trigger.json"),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and "read-only" in err
    assert not (tmp_path / "store").exists()


def test_receiver_answers_only_once_the_event_is_durable(tmp_path):
    store = Store.open(tmp_path / "store")
    server = AlertReceiver(store, settings({}), FixedClock(T0), port=0).start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            r = client.post("/v2/enqueue", json=trigger("durable-1"))
            assert r.status_code == 202
            # another process opening the store now (no shared memory) sees it
            other = Store.open(tmp_path / "store", read_only=True)
            assert other.state.alerts.entry("durable-1").incident == "INC-1"
            assert [e.kind for e in other.state.timeline("INC-1")] == ["opened", "alert_triggered"]
    finally:
        server.close()


def test_ingest_listen_end_to_end(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console",
            "--store",
            str(tmp_path / "store"),
            "--config",
            CONFIG,
            "ingest",
            "--listen",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("receiving alerts on http://127.0.0.1:"), line + proc.stderr.read()
        url = line.split()[3]
        with httpx.Client(base_url=url, timeout=10) as client:
            firing = json.loads((SAMPLES / "alerts" / "alertmanager-firing.json").read_text())
            r = client.post("/alertmanager", json=firing)
            assert r.status_code == 202 and len(r.json()["dedup_keys"]) == 2
    finally:
        proc.send_signal(signal.SIGTERM)
        # generous: a CI machine running the suite on both cores is slow to wake a sleeper
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    store = Store.open(tmp_path / "store", read_only=True)
    assert store.state.get("INC-1").service == "checkout"
