"""A fake Slack incoming webhook.

A webhook is a secret URL (`/services/T…/B…/…`) that takes a JSON message and answers in
plain text: `200 ok`, or an error word such as `400 invalid_payload`, `400 no_text`,
`404 no_service` (no such webhook), `403 action_prohibited`, `410 channel_is_archived`.
Messages are kept per channel in `posts` for tests and drills to read.
"""

from __future__ import annotations

from typing import Any

from console.domain.clock import Clock
from console.providers.fakes.base import FakeProvider, FakeRequest, FakeResponse, route

DEFAULT_HOOK = "/T0FAKE000/B0FAKE000/fakewebhooksecret0000000"


class FakeChat(FakeProvider):
    """Incoming webhooks by path (`hooks` maps path -> channel)."""

    name = "chat"
    base_path = "/services"

    def __init__(self, clock: Clock, *, hooks: dict[str, str] | None = None) -> None:
        super().__init__(clock)
        self.hooks = dict(hooks or {DEFAULT_HOOK: "#incidents"})
        self.archived: set[str] = set()
        self.prohibited: set[str] = set()
        self.posts: list[dict[str, Any]] = []

    def webhook_url(self, origin: str, hook: str = DEFAULT_HOOK) -> str:
        """The secret URL of `hook` on a fake served at `origin`."""
        return f"{origin}{self.base_path}{hook}"

    def error(self, status: int, message: str, code: int | None = None) -> FakeResponse:
        return _text(status, message)

    @route("POST", r"/(?P<team>[^/]+)/(?P<bot>[^/]+)/(?P<secret>[^/]+)")
    def post(self, req: FakeRequest, team: str, bot: str, secret: str) -> FakeResponse:
        channel = self.hooks.get(f"/{team}/{bot}/{secret}")
        if channel is None:
            return _text(404, "no_service")
        if channel in self.prohibited:
            return _text(403, "action_prohibited")
        if channel in self.archived:
            return _text(410, "channel_is_archived")
        try:
            body = req.json
        except ValueError:
            return _text(400, "invalid_payload")
        if not isinstance(body, dict):
            return _text(400, "invalid_payload")
        blocks = body.get("blocks")
        if blocks is not None and not (
            isinstance(blocks, list)
            and all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks)
        ):
            return _text(400, "invalid_blocks")
        if not str(body.get("text") or "").strip() and not blocks:
            return _text(400, "no_text")
        self.posts.append({"channel": channel, "at": self.clock.now(), **body})
        return _text(200, "ok")


def _text(status: int, word: str) -> FakeResponse:
    return FakeResponse(status, word.encode(), {"content-type": "text/plain; charset=utf-8"})
