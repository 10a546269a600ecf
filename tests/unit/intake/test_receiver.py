"""The receiver over real HTTP on 127.0.0.1: answers shaped like the providers' own."""

from __future__ import annotations

import json
import socket
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from console.domain.clock import FixedClock
from console.receiver import MAX_BODY, AlertReceiver
from tests.unit.intake.helpers import T0, MemorySink, action, settings, spec_json, trigger

CONFIG = {
    "services": {
        "payments": {"integration_keys": ["KEY-PAY"]},
        "checkout": {
            "integration_keys": ["KEY-CHK"],
            "alert_grouping": {"type": "time", "timeout": 0},
        },
    },
    "rules": {"catch_all": {"route_to": "payments"}},
}


@pytest.fixture
def rx():
    sink = MemorySink()
    server = AlertReceiver(sink, settings(CONFIG), FixedClock(T0), port=0).start()
    client = httpx.Client(base_url=server.url, timeout=10)
    yield server, sink, client
    client.close()
    server.close()


def test_events_v2_trigger_is_accepted_with_its_dedup_key(rx):
    server, sink, client = rx
    r = client.post("/v2/enqueue", json=trigger("srv01/mysql"))
    assert r.status_code == 202
    assert r.json() == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "srv01/mysql",
    }
    assert [e.kind for e in sink.events] == ["opened", "alert_triggered"]
    assert sink.state.get("INC-1").service == "payments"
    assert sink.intents[0]["op"] == "incident.open"


def test_response_matches_the_events_v2_spec(rx):
    import jsonschema

    server, sink, client = rx
    spec = spec_json("pagerduty/events-api-v2.openapiv3.json")
    ok_schema = spec["components"]["responses"]["Success"]["content"]["application/json"]["schema"]
    err_schema = spec["components"]["responses"]["Error"]["content"]["application/json"]["schema"]
    jsonschema.validate(client.post("/v2/enqueue", json=trigger(None)).json(), ok_schema)
    bad = client.post(
        "/v2/enqueue", json={"routing_key": "KEY-PAY", "event_action": "trigger", "payload": {}}
    )
    assert bad.status_code == 400
    jsonschema.validate(bad.json(), err_schema)
    assert "'payload.summary' is missing or blank" in bad.json()["errors"]


def test_trigger_without_key_gets_a_generated_one(rx):
    server, sink, client = rx
    key = client.post("/v2/enqueue", json=trigger(None)).json()["dedup_key"]
    assert key and sink.state.alerts.entry(key) is not None
    r = client.post("/v2/enqueue", json=action("resolve", key))
    assert r.status_code == 202 and sink.state.get("INC-1").status == "resolved"


@pytest.mark.parametrize(
    "body, needle",
    [
        (b"{not json", "JSON parse error"),
        (
            json.dumps(
                {"routing_key": "KEY-PAY", "event_action": "yell", "dedup_key": "x"}
            ).encode(),
            "'event_action' is invalid",
        ),
        (
            json.dumps({"routing_key": "KEY-PAY", "event_action": "resolve"}).encode(),
            "'dedup_key' is required",
        ),
        (json.dumps(trigger(severity="fatal")).encode(), "'payload.severity' is invalid"),
    ],
)
def test_bad_events_v2_gets_400_and_changes_nothing(rx, body, needle):
    server, sink, client = rx
    r = client.post("/v2/enqueue", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    doc = r.json()
    assert set(doc) == {"status", "message", "errors"}
    assert any(needle in e for e in doc["errors"])
    assert sink.events == [] and sink.commits == 0


def test_a_body_over_512_kb_is_refused_and_nothing_changes(rx):
    server, sink, client = rx
    body = trigger()
    body["payload"]["custom_details"] = {"blob": "x" * (MAX_BODY + 10)}
    r = client.post("/v2/enqueue", json=body)
    assert r.status_code == 400 and "over 512 KB" in r.json()["errors"][0]
    assert sink.events == []
    # the connection is still usable afterwards
    assert client.post("/v2/enqueue", json=trigger("after")).status_code == 202


def test_a_huge_body_gets_the_connection_closed_without_reading_it(rx):
    server, sink, client = rx
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as s:
        s.sendall(
            b"POST /v2/enqueue HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n"
        )
        answer = s.recv(4096).decode()
    assert answer.startswith("HTTP/1.1 400") and "Connection: close" in answer
    assert sink.events == []


def test_alertmanager_webhook_with_routing_key_in_the_url(rx):
    server, sink, client = rx
    r = client.post(
        "/alertmanager?routing_key=KEY-CHK",
        json=spec_json("alertmanager/webhook-v4.firing.example.json"),
    )
    assert r.status_code == 202
    assert r.json()["dedup_keys"] == ["6f1c3f3a9d0b2e47", "a02b7c51e4d98f10"]
    assert sink.state.get("INC-1").service == "checkout"
    assert len(sink.state.incidents) == 1  # grouped
    r = client.post(
        "/alertmanager?routing_key=KEY-CHK",
        json=spec_json("alertmanager/webhook-v4.resolved.example.json"),
    )
    assert r.status_code == 202 and sink.state.get("INC-1").status == "resolved"


def test_alertmanager_bad_body(rx):
    server, sink, client = rx
    r = client.post(
        "/alertmanager", json={"version": "4", "groupKey": "x", "alerts": [{"status": "firing"}]}
    )
    assert r.status_code == 400 and any("fingerprint" in e for e in r.json()["errors"])
    assert sink.events == []


def test_opsgenie_create_close_and_errors(rx):
    server, sink, client = rx
    r = client.post(
        "/v2/alerts",
        json={"message": "Queue backlog", "alias": "q-1", "priority": "P2"},
        headers={"Authorization": "GenieKey secret"},
    )
    assert r.status_code == 202
    doc = r.json()
    assert doc["result"] == "Request will be processed" and {"took", "requestId"} <= set(doc)
    assert sink.state.alerts.entry("q-1").incident == "INC-1"
    r = client.post("/v2/alerts/q-1/acknowledge?identifierType=alias", json={"user": "monitor"})
    assert r.status_code == 202 and sink.state.get("INC-1").status == "acknowledged"
    r = client.post("/v2/alerts/q-1/close?identifierType=alias", json={})
    assert r.status_code == 202 and sink.state.get("INC-1").status == "resolved"
    r = client.post("/v2/alerts/q-1/close", json={})
    assert r.status_code == 422 and "identifierType" in r.json()["errors"]["identifierType"]
    r = client.post("/v2/alerts", json={"alias": "no-message"})
    assert r.status_code == 422 and r.json()["errors"] == {"message": "'message' can not be empty"}
    r = client.post("/v2/alerts", content=b"[", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["message"] == "Could not parse request body"


def test_unknown_paths_get_404(rx):
    server, sink, client = rx
    assert client.post("/v1/enqueue", json={}).status_code == 404
    assert client.get("/health").json() == {"status": "ok"}


def test_a_failed_write_is_a_500_so_the_sender_retries(rx):
    server, sink, client = rx
    sink.fail_next = True
    r = client.post("/v2/enqueue", json=trigger("k1"))
    assert r.status_code == 500 and sink.events == []
    assert "No space" not in r.text  # the cause is for the operator, not the sender
    assert server.errors == ["OSError"]
    assert client.post("/v2/enqueue", json=trigger("k1")).status_code == 202


def test_concurrent_senders_are_group_committed_and_each_answer_is_right(rx):
    server, sink, client = rx

    def send(i: int) -> str:
        # one client shared by the threads (httpx.Client is thread-safe; making one is slow)
        r = client.post("/v2/enqueue", json=trigger(f"k{i % 20}", summary=f"alert {i}"))
        assert r.status_code == 202
        return r.json()["dedup_key"]

    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = list(pool.map(send, range(120)))
    assert keys == [f"k{i % 20}" for i in range(120)]
    kinds = [e.kind for e in sink.events]
    assert kinds.count("alert_triggered") == 20 and kinds.count("alert_updated") == 100
    assert len(sink.state.incidents) == 20
    assert sink.commits <= 120


def test_receiver_binds_loopback_only():
    with pytest.raises(ValueError, match="loopback"):
        AlertReceiver(MemorySink(), settings(CONFIG), FixedClock(T0), port=0, host="0.0.0.0")
