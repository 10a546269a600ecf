"""A chat incoming webhook (Slack's format): the messages our intents become.

A Slack incoming webhook takes a JSON body with `text` (the fallback shown in
notifications) and optional `blocks`; the field names are those of `chat.postMessage` in
../shared/specs/slack/slack-web-api.chat-subset.openapi2.json, less `channel` and
`token` (the webhook URL names both, which is why that URL is a secret).

Text from alerts and people is escaped the way Slack requires (`&`, `<`, `>`), so no one
can inject a mention such as `<!channel>` or a link through an incident title.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from console.providers.http_call import HttpCall, Skip
from console.providers.outbound_text import plain

SECTION_LIMIT = 3000  # Slack's limit for a section block's text
TEXT_LIMIT = 4000  # keep the fallback short: it is what notifications show
OPS = ("incident.declare", "status.update", "chat.post", "incident.resolve")

_STATUS_MARK = {
    "investigating": ":mag:",
    "identified": ":pushpin:",
    "monitoring": ":eyes:",
    "resolved": ":white_check_mark:",
}


def concerns(intent: Mapping[str, Any]) -> bool:
    return intent.get("op") in OPS


def escape(text: str) -> str:
    """Slack's control characters in message text: &, < and > become entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def safe(text: object, limit: int, *, one_line: bool = False) -> str:
    """Untrusted text, plain, bounded, then escaped for Slack."""
    return escape(plain(text, limit, one_line=one_line))


def message(headline: str, body: str = "", context: str = "") -> dict[str, Any]:
    """A webhook payload from already-escaped parts: fallback text plus blocks."""
    blocks: list[dict[str, Any]] = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": _cut(headline + (f"\n{body}" if body else ""))},
        }
    ]
    if context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(context)}]})
    fallback = headline + (f" — {body}" if body else "")
    return {"text": _cut(fallback, TEXT_LIMIT), "blocks": blocks}


def _cut(text: str, limit: int = SECTION_LIMIT) -> str:
    # cut on escaped text, never inside an entity such as &amp;
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def post(payload: Mapping[str, Any], purpose: str = "chat post") -> HttpCall:
    """A POST to the webhook URL itself (the adapter's base URL; the path is empty)."""
    return HttpCall("POST", "", json=dict(payload), purpose=purpose)


def plan(
    intent: Mapping[str, Any], *, incident: Mapping[str, Any] | None = None
) -> list[HttpCall] | Skip:
    """The chat post for `intent`, or why there is none (`incident`: `Incident.to_json()`)."""
    op = intent.get("op")
    args = intent.get("args") or {}
    local = str(intent.get("incident") or "")
    title = safe(args.get("title") or (incident or {}).get("title", ""), 300, one_line=True)
    ref = f"*{escape(local)}*" if local else ""
    context = f"incident-console · {escape(local)}" if local else "incident-console"

    if op == "incident.declare":
        sev = args.get("severity")
        sev_word = f"SEV{sev}" if sev else "Incident"
        lines = []
        if args.get("service"):
            lines.append(f"Service: {safe(args['service'], 200, one_line=True)}")
        if args.get("commander"):
            lines.append(f"Commander: {safe(args['commander'], 200, one_line=True)}")
        public = args.get("public") or None
        if public:
            comps = ", ".join(
                f"{safe(n, 200, one_line=True)} ({safe(s, 40, one_line=True).replace('_', ' ')})"
                for n, s in (public.get("components") or {}).items()
            )
            lines.append(
                f"Status page: {safe(public.get('status', 'investigating'), 40)}"
                + (f" — {comps}" if comps else "")
            )
        else:
            lines.append("Status page: not public")
        head = f":rotating_light: {sev_word} declared: {ref} {title}".rstrip()
        return [post(message(head, "\n".join(lines), context), "chat: declared")]
    if op == "status.update":
        status = str(args.get("status", ""))
        mark = _STATUS_MARK.get(status, ":information_source:")
        head = f"{mark} {ref} {safe(status, 40, one_line=True)}".rstrip()
        if title:
            head += f": {title}"
        return [
            post(message(head, safe(args.get("text", ""), 2500), context), "chat: status update")
        ]
    if op == "chat.post":
        text = safe(args.get("text", ""), 2800)
        if not text:
            return Skip("empty chat message")
        head = f"{ref} {title}".strip() or "Incident update"
        return [post(message(head, text, context), "chat: message")]
    if op == "incident.resolve":
        head = f":white_check_mark: Resolved: {ref} {title}".rstrip()
        return [post(message(head, safe(args.get("note", ""), 2500), context), "chat: resolved")]
    return Skip(f"{op} does not concern chat")
