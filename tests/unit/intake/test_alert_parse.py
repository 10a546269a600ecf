"""Parsing the three alert formats into one Alert, with the providers' own field names."""

from __future__ import annotations

import pytest

from console.domain.intake.alert import (
    MAX_SUMMARY,
    AlertFormatError,
    clean_text,
    detect_format,
    parse_body,
    severity_urgency,
)
from tests.unit.intake.helpers import T0, spec_json, trigger


def events_v2_example() -> dict:
    spec = spec_json("pagerduty/events-api-v2.openapiv3.json")
    return spec["paths"]["/enqueue"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]["event"]["value"]


def test_events_v2_example_from_the_spec():
    body = events_v2_example()
    [a] = parse_body(body, T0)
    assert (a.format, a.action, a.dedup_key) == ("events_v2", "trigger", "srv01/mysql")
    assert a.summary == "DISK at 99% on machine prod-datapipe03.example.com"
    assert (a.source, a.severity, a.component, a.group, a.event_class) == (
        "prod-datapipe03.example.com",
        "critical",
        "mysql",
        "prod-datapipe",
        "disk",
    )
    assert a.custom_details["free space"] == "1%"
    assert a.custom_details["load avg"] == 0.75
    assert a.routing_key == "e93facc04764012d7bfb002500d5d1a6"
    assert a.client == "Sample Monitoring Service"
    assert a.occurred_at is not None and a.occurred_at.year == 2015


def test_events_v2_change_event_example():
    spec = spec_json("pagerduty/events-api-v2.openapiv3.json")
    body = spec["paths"]["/change/enqueue"]["post"]["requestBody"]["content"]["application/json"][
        "examples"
    ]["build-change-event"]["value"]
    assert detect_format(body) == "change_v2"
    [a] = parse_body(body, T0)
    assert a.action == "change" and a.summary.startswith("Build Success")


@pytest.mark.parametrize("kind", ["acknowledge", "resolve"])
def test_events_v2_acknowledge_and_resolve(kind):
    [a] = parse_body({"routing_key": "r", "event_action": kind, "dedup_key": "k"}, T0)
    assert (a.action, a.dedup_key) == (kind, "k")


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda b: b["payload"].pop("summary"), "'payload.summary' is missing"),
        (lambda b: b["payload"].pop("source"), "'payload.source' is missing"),
        (lambda b: b["payload"].pop("severity"), "'payload.severity' is missing"),
        (lambda b: b["payload"].update(severity="fatal"), "'payload.severity' is invalid"),
        (lambda b: b.update(event_action="explode"), "'event_action' is invalid"),
        (lambda b: b.pop("routing_key"), "'routing_key' is missing"),
        (lambda b: b.update(payload="text"), "'payload' is missing or not an object"),
        (lambda b: b["payload"].update(summary="   "), "'payload.summary' is missing"),
        (lambda b: b["payload"].update(timestamp="yesterday"), "'payload.timestamp'"),
        (lambda b: b["payload"].update(summary=12), "'payload.summary' must be a string"),
    ],
)
def test_events_v2_bad_bodies_name_the_field(mutate, needle):
    body = trigger()
    mutate(body)
    with pytest.raises(AlertFormatError) as exc:
        parse_body(body, T0, "events_v2")
    assert needle in str(exc.value)
    assert exc.value.format == "events_v2"


def test_events_v2_resolve_without_dedup_key_is_refused():
    with pytest.raises(AlertFormatError, match="'dedup_key' is required"):
        parse_body({"routing_key": "r", "event_action": "resolve"}, T0)


def test_alertmanager_firing_example_current_version():
    body = spec_json("alertmanager/webhook-v4.firing.example.json")
    alerts = parse_body(body, T0)
    assert [a.dedup_key for a in alerts] == ["6f1c3f3a9d0b2e47", "a02b7c51e4d98f10"]
    a = alerts[0]
    assert (a.format, a.action, a.severity) == ("alertmanager", "trigger", "critical")
    assert a.summary == "High HTTP 5xx error rate on checkout"
    assert a.source == "api-1.example.org:8080"
    assert a.event_class == "HighErrorRate"
    assert a.custom_details["runbook_url"] == "https://runbooks.example.org/HighErrorRate"
    assert a.custom_details["service"] == "checkout"
    assert "&" in a.custom_details["generatorURL"]  # Go's \u0026 decoded by JSON
    assert a.started_at is not None and a.started_at.microsecond == 123000


def test_alertmanager_pre_032_example_without_reason_or_route_labels():
    body = spec_json("alertmanager/webhook-v4.firing.pre-0.32.example.json")
    assert "notification_reason" not in body and "routeLabels" not in body
    [a] = parse_body(body, T0)
    assert (a.dedup_key, a.severity, a.action) == ("0f4b3c2d1e5a6978", "warning", "trigger")


def test_alertmanager_resolved_example_carries_end_time():
    body = spec_json("alertmanager/webhook-v4.resolved.example.json")
    alerts = parse_body(body, T0)
    assert {a.action for a in alerts} == {"resolve"}
    assert alerts[0].occurred_at.isoformat().startswith("2026-08-20T10:42:30")


def test_alertmanager_examples_validate_against_the_schema():
    import jsonschema

    schema = spec_json("alertmanager/webhook-v4.schema.json")
    for name in ("firing", "resolved", "firing.pre-0.32"):
        jsonschema.validate(spec_json(f"alertmanager/webhook-v4.{name}.example.json"), schema)


@pytest.mark.parametrize(
    "mutate, needle",
    [
        (lambda b: b.update(version="3"), "'version' must be \"4\""),
        (lambda b: b["alerts"][0].update(status="burning"), "alerts[0].status"),
        (lambda b: b["alerts"][1].pop("fingerprint"), "alerts[1].fingerprint"),
        (lambda b: b["alerts"][0].update(labels={"a": 1}), "alerts[0].labels"),
        (lambda b: b.update(alerts={}), "'alerts' must be a list"),
    ],
)
def test_alertmanager_bad_bodies(mutate, needle):
    body = spec_json("alertmanager/webhook-v4.firing.example.json")
    mutate(body)
    with pytest.raises(AlertFormatError) as exc:
        parse_body(body, T0, "alertmanager")
    assert needle in str(exc.value)


def test_alertmanager_unknown_severity_falls_back_to_critical():
    body = spec_json("alertmanager/webhook-v4.firing.example.json")
    body["alerts"][0]["labels"]["severity"] = "sev-banana"
    body["alerts"][1]["labels"]["severity"] = "WARN"
    a, b = parse_body(body, T0)
    assert (a.severity, b.severity) == ("critical", "warning")


def test_opsgenie_create_alert():
    body = {
        "message": "Payments API latency above 2s",
        "alias": "payments-latency",
        "description": "p99 latency",
        "tags": ["payments", "latency"],
        "details": {"region": "us-east-1"},
        "entity": "payments-api",
        "source": "datadog",
        "priority": "P1",
        "user": "Monitor",
    }
    assert detect_format(body) == "opsgenie"
    [a] = parse_body(body, T0)
    assert (a.dedup_key, a.severity, a.priority, a.source, a.component) == (
        "payments-latency",
        "critical",
        "P1",
        "datadog",
        "payments-api",
    )
    assert a.custom_details == {
        "region": "us-east-1",
        "tags": ["payments", "latency"],
        "description": "p99 latency",
    }
    assert severity_urgency(a.severity) == "high"


def test_opsgenie_fields_exist_in_the_spec():
    spec = spec_json("opsgenie/swagger.json")
    props = spec["definitions"]["CreateAlertPayload"]["allOf"][1]["properties"]
    base = spec["definitions"]["AlertActionPayload"]["properties"]
    for name in ("message", "alias", "description", "tags", "details", "entity", "priority"):
        assert name in props
    for name in ("source", "user"):
        assert name in base


def test_opsgenie_default_priority_is_p3_low_urgency_and_no_alias_gets_a_stable_key():
    body = {"message": "Queue backlog growing"}
    [a] = parse_body(body, T0)
    [again] = parse_body(body, T0)
    [later] = parse_body(body, T0.add(seconds=1))
    assert a.severity == "warning" and severity_urgency(a.severity) == "low" and a.priority is None
    assert a.dedup_key == again.dedup_key != later.dedup_key


@pytest.mark.parametrize(
    "body, needle",
    [
        ({"message": ""}, "'message' can not be empty"),
        ({"message": "x", "priority": "P9"}, "'priority' must be one of"),
        ({"message": "x", "tags": "a,b"}, "'tags' must be a list"),
    ],
)
def test_opsgenie_bad_bodies(body, needle):
    with pytest.raises(AlertFormatError) as exc:
        parse_body(body, T0, "opsgenie")
    assert needle in str(exc.value)


@pytest.mark.parametrize("body", [[], "text", 7, {"hello": "world"}, None])
def test_unknown_shapes_are_refused(body):
    with pytest.raises(AlertFormatError, match="not an Events v2, Alertmanager v4 or Opsgenie"):
        parse_body(body, T0)


def test_untrusted_text_is_cleaned_and_bounded():
    nasty = "\x1b[31mred\x1b[0m\u202eevil\x07 " + "x" * 5000
    [a] = parse_body(trigger(summary=nasty, source="\x1b]0;title\x07host"), T0)
    assert "\x1b" not in a.summary and "\u202e" not in a.summary and "\x07" not in a.summary
    assert len(a.summary) <= MAX_SUMMARY
    assert "\x1b" not in a.source
    assert clean_text("line1\nline2\ttab") == "line1 line2 tab"


def test_but_is_dataclasses_replace():
    import dataclasses

    [a] = parse_body(events_v2_example(), T0)
    for changes in ({"severity": "info"}, {"dedup_key": "k2", "summary": "s"}, {}):
        copy = a.but(**changes)
        assert copy == dataclasses.replace(a, **changes)
        assert copy is not a
    assert a.severity == "critical"  # the original is untouched
    with pytest.raises(TypeError, match="no field 'sevirity'"):
        a.but(sevirity="info")


def test_the_alert_init_takes_the_fields_in_order_with_their_defaults():
    import dataclasses
    import inspect

    from console.domain.intake.alert import Alert

    params = list(inspect.signature(Alert.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Alert)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default is not dataclasses.MISSING:
            assert p.default == f.default, f.name
        elif f.default_factory is not dataclasses.MISSING:
            assert p.default is None, f.name  # made fresh for each alert
        else:
            assert p.default is inspect.Parameter.empty, f.name
    a, b = Alert("events_v2", "trigger", "k"), Alert("events_v2", "trigger", "k")
    assert a == b and a.custom_details == {} and a.custom_details is not b.custom_details


def test_events_v2_optional_fields_each_named_when_not_strings_in_order():
    body = trigger()
    body["payload"].update(component=5, group=["g"], **{"class": {"c": 1}})
    body["routing_key"] = "   "
    with pytest.raises(AlertFormatError) as exc:
        parse_body(body, T0, "events_v2")
    assert exc.value.errors == [
        "'routing_key' is missing or blank",
        "'payload.component' must be a string",
        "'payload.group' must be a string",
        "'payload.class' must be a string",
    ]


@pytest.mark.parametrize(
    "client, want",
    [
        (None, "events-api"),
        ("", "events-api"),
        ("  ", "events-api"),
        (7, "7"),
        ("Nagios\n", "Nagios"),
    ],
)
def test_events_v2_optional_texts_cleaned_or_empty(client, want):
    body = trigger()
    body["payload"].update(
        component="  db ",
        group="",
        timestamp="",
        custom_details={"n": True, "x": None, "l": [1, "a\tb"]},
    )
    body["payload"]["class"] = None
    body["client"] = client
    [a] = parse_body(body, T0, "events_v2")
    assert (a.component, a.group, a.event_class, a.occurred_at) == ("db", "", "", None)
    assert a.client == want
    assert a.custom_details == {"n": True, "x": None, "l": ["1", "a b"]}


def test_events_v2_details_keep_the_first_64():
    body = trigger()
    body["payload"]["custom_details"] = {f"k{i}": i for i in range(100)}
    [a] = parse_body(body, T0, "events_v2")
    assert list(a.custom_details) == [f"k{i}" for i in range(64)]
