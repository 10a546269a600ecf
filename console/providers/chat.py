"""The chat adapter: a Slack incoming webhook (the message format is in chat_message.py).

The webhook URL is itself the credential (it names the workspace, the channel and a
secret), so it is held as a `Secret`: the client's base URL is only its origin, the path
is sent per request, and neither ever reaches a message, a log or a delivery record.

A webhook cannot be read back, so there is no looking before posting again: after an
ambiguous attempt (a timeout or a dropped connection after sending) the message is posted
again, and the delivery says so. A duplicate chat line is the lesser harm than a missing
"SEV1 declared". Polling finds no news (webhooks are write-only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
from pendulum import DateTime

from console.providers import chat_message
from console.providers.credentials import Credentials, Secret
from console.providers.endpoints import check_url
from console.providers.http import ProviderHttp
from console.providers.http_call import Skip
from console.providers.protocol import Delivery, DeliveryContext, Intent, RemoteNews


class ChatAdapter:
    """One incoming webhook behind the `Provider` protocol."""

    name = "chat"

    def __init__(self, http: ProviderHttp, path: Secret) -> None:
        self.http = http
        self._path = path

    def concerns(self, intent: Intent, incident: Mapping[str, Any] | None) -> bool:
        return chat_message.concerns(intent)

    def deliver(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        planned = chat_message.plan(intent, incident=ctx.incident)
        if isinstance(planned, Skip):
            return Delivery("sent", detail=planned.reason)
        for call in planned:
            self.http.request("POST", self._path.reveal(), json_body=call.json)
        detail = "posted to chat"
        if ctx.retry_after_ambiguity:
            detail += (
                " again (a webhook cannot be read back; an earlier attempt may also have arrived)"
            )
        return Delivery("sent", detail=detail)

    def poll(self, since: DateTime | None) -> list[RemoteNews]:
        return []

    def close(self) -> None:
        self.http.close()


def build_chat(
    config: Mapping[str, Any] | None,
    creds: Credentials,
    limiters: Any,
    *,
    read_only: bool = False,
    transport: Any = None,
    timeout: float = 10.0,
) -> ChatAdapter | None:
    """The adapter from the webhook URL (SLACK_WEBHOOK_URL or credentials.toml); None when
    chat is off. A URL that breaks the rules (not https off loopback) raises EndpointError,
    whose message names the variable, never the URL."""
    secret = creds.secret("chat", "webhook_url")
    if not secret:
        return None
    source = creds.sources.get("chat.webhook_url", "the chat webhook URL")
    url = httpx.URL(check_url(secret.reveal(), source))
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    path = Secret(url.raw_path.decode("ascii") or "/")
    http = ProviderHttp(
        "chat",
        origin,
        limiter=limiters.for_credential("chat", secret.reveal()),
        read_only=read_only,
        timeout=timeout,
        transport=transport,
        secrets=[secret, path],
    )
    return ChatAdapter(http, path)
