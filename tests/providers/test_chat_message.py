"""Intents to Slack incoming-webhook messages, checked against Slack's chat.postMessage fields."""

import pytest

from console.providers import chat_message as chat
from console.providers.http_call import Skip
from tests.providers.spec_check import load_spec

# An incoming webhook names its channel and credential in its URL, so those
# chat.postMessage arguments never appear in its body.
NOT_IN_A_WEBHOOK_BODY = {"token", "channel", "as_user"}


def webhook_body_schema():
    """A JSON Schema of a webhook body: chat.postMessage's arguments, strictly."""
    spec = load_spec("slack/slack-web-api.chat-subset.openapi2.json")
    op = spec.spec["paths"]["/chat.postMessage"]["post"]
    props = {}
    for p in op["parameters"]:
        if p["name"] in NOT_IN_A_WEBHOOK_BODY:
            continue
        if p["name"] == "blocks":
            props["blocks"] = spec.spec["definitions"]["blocks"]
        elif p["name"] == "attachments":
            props["attachments"] = {"type": "array", "items": {"type": "object"}}
        else:
            props[p["name"]] = {"type": p["type"]}
    schema = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "anyOf": [{"required": ["text"]}, {"required": ["blocks"]}],
    }
    return spec, schema


@pytest.fixture(scope="module")
def webhook_schema():
    return webhook_body_schema()


def checked(webhook_schema, calls):
    spec, schema = webhook_schema
    assert not isinstance(calls, Skip), calls
    for call in calls:
        assert (call.method, call.path) == ("POST", "")
        spec._validate(schema, call.json, "webhook body")
    return calls


def intent(op, args, incident="INC-3"):
    return {
        "id": "i1",
        "op": op,
        "incident": incident,
        "args": args,
        "created_at": "2026-11-30T04:00:00Z",
        "origin": "local",
    }


def test_declare_posts_severity_title_and_public_state(webhook_schema):
    args = {
        "severity": 2,
        "title": "Payments degraded",
        "service": "payments",
        "commander": "Ada",
        "public": {
            "status": "investigating",
            "components": {"Payment Processing": "partial_outage"},
        },
    }
    (call,) = checked(webhook_schema, chat.plan(intent("incident.declare", args)))
    text = call.json["blocks"][0]["text"]["text"]
    assert text.startswith(":rotating_light: SEV2 declared: *INC-3* Payments degraded")
    assert "Commander: Ada" in text and "Payment Processing (partial outage)" in text
    assert call.json["text"].startswith(":rotating_light: SEV2 declared")


def test_update_resolve_and_free_posts(webhook_schema):
    inc = {"title": "Payments degraded"}
    (upd,) = checked(
        webhook_schema,
        chat.plan(
            intent("status.update", {"status": "identified", "text": "Root cause found"}),
            incident=inc,
        ),
    )
    assert upd.json["text"] == ":pushpin: *INC-3* identified: Payments degraded — Root cause found"
    (res,) = checked(
        webhook_schema, chat.plan(intent("incident.resolve", {"note": "All clear"}), incident=inc)
    )
    assert res.json["text"].startswith(":white_check_mark: Resolved: *INC-3* Payments degraded")
    (say,) = checked(
        webhook_schema, chat.plan(intent("chat.post", {"text": "bridge is open"}), incident=inc)
    )
    assert "bridge is open" in say.json["text"]
    assert isinstance(chat.plan(intent("chat.post", {"text": "  "})), Skip)
    assert isinstance(chat.plan(intent("incident.ack", {})), Skip)


def test_mentions_links_and_escapes_from_untrusted_text_are_neutralised(webhook_schema):
    args = {"text": "<!channel> see <http://evil|here> & \x1b[31mred"}
    (call,) = checked(
        webhook_schema, chat.plan(intent("chat.post", args), incident={"title": "<@U123>"})
    )
    text = call.json["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "<http" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text and "\x1b" not in text


def test_long_text_stays_within_slacks_block_limit_and_never_splits_an_entity():
    payload = chat.message("head", chat.escape("&" * 5000))
    block = payload["blocks"][0]["text"]["text"]
    assert len(block) <= chat.SECTION_LIMIT
    assert block.endswith("&amp;…")
