"""The drill's providers: in-process fakes, the sync engine draining to them, and what
other responders do "in the web UI".

A drill's outbox reaches only fakes answered in-process (`console.sync.wiring.drill_providers`:
`.invalid` hosts on fake transports; the engine refuses anything else for a drill store).
Faults from the scenario are queued on those fakes. A responder who acks in PagerDuty's
web UI changes the fake PagerDuty's incident, and the engine's poll brings it back as a
timeline event with origin "provider", the same path live news takes.

When this build has no sync engine (`console.sync` absent), the outbox stays queued, the
report says so, and other responders' actions are recorded directly as provider events.
"""

from __future__ import annotations

import importlib.util
import uuid
from dataclasses import dataclass, field
from typing import Any

from pendulum import DateTime

from console.domain.clock import Clock
from console.domain.model import Event, State
from console.domain.settings import Settings
from console.drill.faults import PROVIDER_LABELS, describe, fault_for


@dataclass
class RemoteAction:
    """What a responder inject turned into: events to write now (possibly none, when the
    change was made in a fake and comes back through the poll) and a line for the log."""

    events: list[Event] = field(default_factory=list)
    line: str = ""


def sync_available() -> bool:
    return importlib.util.find_spec("console.sync") is not None


class DrillRemote:
    """Fakes + sync engine for one drill (or, without `console.sync`, a record of faults)."""

    def __init__(
        self, store: Any, settings: Settings, clock: Clock, config: dict[str, Any], horizon: int
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.engine: Any = None
        self.fakes: dict[str, Any] = {}
        self.faults: list[dict[str, Any]] = []
        self.errors: list[str] = []
        if sync_available():
            self._wire(config, horizon)

    @property
    def available(self) -> bool:
        return self.engine is not None

    def _wire(self, config: dict[str, Any], horizon: int) -> None:
        from console.sync.engine import SyncEngine
        from console.sync.wiring import drill_providers

        # the chat webhook too: the report lists what stakeholders were told
        wiring = drill_providers(config, self.clock, chat=True)
        self.fakes = dict(wiring.fakes)
        # nobody is asked to release held triggers in a drill: never hold within it
        self.engine = SyncEngine(
            self.store,
            wiring.providers,
            self.clock,
            hold_seconds=float(horizon) + 1,
            seed=0,
            components=self.settings.components,
        )

    # -- faults ------------------------------------------------------------------------

    def inject_fault(self, spec: dict[str, Any], at: DateTime) -> str:
        text = describe(spec)
        self.faults.append({"at": at, "text": text, **spec})
        fake = self.fakes.get(spec["provider"])
        if fake is None:
            if self.available:
                return f"{text} (this drill has no {PROVIDER_LABELS[spec['provider']]})"
            return text
        fake.inject(fault_for(spec, self.clock, at))
        return text

    # -- other responders ------------------------------------------------------------------

    def responder(self, spec: dict[str, Any], state: State, at: DateTime) -> RemoteAction:
        """Someone else acts on an incident in a provider's web UI."""
        who, action = spec["who_label"], spec["action"]
        via = PROVIDER_LABELS[spec["via"]]
        inc = _target(state, spec.get("incident"))
        if inc is None:
            name = spec.get("incident") or "an incident"
            return RemoteAction(
                [_drill_note(at, None, f"{who} looked for {name} in {via}: there is none")],
                f"{who} found no incident to {action}",
            )
        if action in ("ack", "resolve") and not inc.is_open:
            return RemoteAction([], f"{who} found {inc.id} already resolved in {via}")
        if action == "ack" and inc.status == "acknowledged":
            return RemoteAction([], f"{who} found {inc.id} already acknowledged in {via}")
        pd = self.fakes.get("pagerduty") if spec["via"] == "pagerduty" else None
        if self.available and pd is not None:
            return self._in_fake_pagerduty(pd, spec, inc.id, inc.provider_ids, at)
        return RemoteAction(
            [_provider_event(spec, inc.id, at)], f"{who} {action}s {inc.id} in {via}"
        )

    def _in_fake_pagerduty(
        self, pd: Any, spec: dict[str, Any], inc_id: str, links: dict[str, str], at: DateTime
    ) -> RemoteAction:
        who = spec["who_label"]
        remote_id = links.get("pagerduty")
        if remote_id is None or remote_id not in pd.incidents:
            note = (
                f"{who} looked for {inc_id} in PagerDuty to {spec['action']} it: "
                "it has not reached PagerDuty (still queued here)"
            )
            return RemoteAction([_drill_note(at, inc_id, note)], note)
        user_id = _fake_user(pd, self.settings, spec["who"])
        if spec["action"] == "note":
            pd.web_note(remote_id, user_id, spec["text"])
        else:
            status = "acknowledged" if spec["action"] == "ack" else "resolved"
            pd.web_set_status(remote_id, status, user_id)
        return RemoteAction([], f"{who} {spec['action']}s {inc_id} in PagerDuty's web UI")

    # -- the outbox ------------------------------------------------------------------------

    def run(self, poll: bool = True) -> list[str]:
        """One pass: send what can go now, then bring back the providers' news."""
        if self.engine is None:
            return []
        report = self.engine.run_once(poll=poll)
        lines = list(getattr(report, "lines", []) or [])
        return lines

    def next_wake(self) -> DateTime | None:
        return self.engine.next_wake() if self.engine is not None else None

    def settled(self) -> bool:
        """Nothing left to send (or no engine to send it)."""
        return self.engine is None or self.engine.idle()

    def status(self) -> list[Any]:
        return list(self.engine.status()) if self.engine is not None else []

    def summary(self) -> dict[str, Any]:
        """Delivery counts per provider, for the report."""
        intents = len(self.store.intents)
        per: dict[str, dict[str, int]] = {}
        for (_intent, provider), rec in self.store.deliveries.items():
            counts = per.setdefault(provider, {})
            state = rec.get("state", "?")
            counts[state] = counts.get(state, 0) + 1
        return {
            "engine": self.available,
            "at_end": [st.text for st in self.status()],
            "intents": intents,
            "deliveries": per,
            "faults": [
                {"at": f["at"].in_tz("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"), "text": f["text"]}
                for f in self.faults
            ],
        }

    def close(self) -> None:
        if self.engine is not None:
            self.engine.close()


def _target(state: State, inc_id: str | None):
    if inc_id:
        return state.get(inc_id)
    open_ = sorted(state.open_incidents(), key=lambda i: i.number)
    if open_:
        return open_[0]
    return None


def _fake_user(pd: Any, settings: Settings, handle: str) -> str:
    user = settings.users.get(handle)
    email = (user.email if user else "").lower()
    for uid, u in pd.users.items():
        if email and str(u.get("email", "")).lower() == email:
            return uid
    return next(iter(pd.users))


def _provider_event(spec: dict[str, Any], inc_id: str, at: DateTime) -> Event:
    via = PROVIDER_LABELS[spec["via"]]
    who = spec["who_label"]
    kind, text, data = {
        "ack": ("acknowledged", f"Acknowledged in {via} by {who}", {}),
        "resolve": ("resolved", f"Resolved in {via} by {who}", {}),
        "note": ("note", spec.get("text", ""), {"text": spec.get("text", "")}),
    }[spec["action"]]
    return Event(
        id=uuid.uuid4().hex,
        at=at,
        kind=kind,
        author=who,
        origin="provider",
        text=text,
        incident=inc_id,
        data={"provider": spec["via"], **data},
    )


def _drill_note(at: DateTime, inc_id: str | None, text: str) -> Event:
    return Event(
        id=uuid.uuid4().hex,
        at=at,
        kind="drill_note",
        author="drill",
        origin="drill",
        text=text,
        incident=inc_id,
    )
