"""The sync engine: drains the store's outbox to the providers and pulls their news back.

For each provider, in outbox order:

1. pick the intents that concern it and are not settled (sent, failed, superseded);
   a trigger queued longer than `hold_triggers_older_than` is *held* until someone says
   send (`sync --send-held`), and later intents of its incident wait behind it;
2. before sending a chunk, record each as "retrying / sending" in one durable write, so
   that a crash mid-send leaves a mark: the next attempt looks before posting again;
3. send one by one; record the results of the chunk in one durable write, with the
   timeline events they imply (links learnt, both sides of a conflict, final refusals);
4. on a retryable failure (timeout, connection, 5xx, 408, 429/420) the provider backs off
   (exponential with jitter, or as long as the provider asked) and the rest waits;
   on 401 the provider pauses until new credentials; other refusals are final.

Every wait goes through the Clock. A drill store (header kind "drill") refuses any
adapter whose requests could leave the machine: its outbox only ever reaches fakes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pendulum import DateTime

from console.domain.clock import Clock, iso, parse_instant
from console.domain.model import Event, State
from console.providers.decisions import Decision, wait_for
from console.providers.http import CallFailed, ReadOnlyRefused, clean_text
from console.providers.protocol import Delivery, DeliveryContext, Provider
from console.sync.reconcile import (
    SYNC_AUTHOR,
    delivery_events,
    failure_event,
    label,
    news_events,
    pending_keys,
    stable_id,
)
from console.sync.status import Health, ProviderStatus, summarize

TERMINAL = frozenset({"sent", "failed", "superseded"})
# ops that page people or open incidents: held when they have waited too long
TRIGGERS = frozenset({"incident.open", "incident.declare", "incident.page"})
DEFAULT_HOLD_SECONDS = 15 * 60
CHUNK = 100  # intents per durable mark: two fsyncs per chunk, not per intent
POLL_OVERLAP_SECONDS = 120


class SyncRefused(Exception):
    """The engine will not run as asked (a drill store with a real provider, a read-only store)."""


class OutboxStore(Protocol):
    """What the engine needs of console.store.Store."""

    kind: str
    read_only: bool
    state: State
    intents: Mapping[str, Mapping[str, Any]]
    deliveries: Mapping[tuple[str, str], Mapping[str, Any]]

    def transact(self, fn: Any) -> Any: ...

    def refresh(self) -> bool: ...


@dataclass
class Batch:
    """What one durable write adds (the store reads these attributes)."""

    events: list[Event] = field(default_factory=list)
    intents: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _ProviderRun:
    health: Health = field(default_factory=Health)
    failures: int = 0
    last_poll: DateTime | None = None


@dataclass
class PassReport:
    """What one pass did, for `sync` to print."""

    sent: int = 0
    superseded: int = 0
    failed: int = 0
    retrying: int = 0
    held: list[tuple[str, str]] = field(default_factory=list)  # (intent id, provider)
    news: int = 0
    lines: list[str] = field(default_factory=list)

    def merge(self, other: PassReport) -> None:
        self.sent += other.sent
        self.superseded += other.superseded
        self.failed += other.failed
        self.retrying = other.retrying
        self.held = other.held
        self.news += other.news
        self.lines += other.lines


def _delivery(
    intent_id: str,
    provider: str,
    state: str,
    at: DateTime,
    detail: str = "",
    remote_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    rec = {
        "intent": intent_id,
        "provider": provider,
        "state": state,
        "at": iso(at),
        "detail": clean_text(detail, 300),
        "remote_id": remote_id,
    }
    rec.update(extra)
    return rec


class SyncEngine:
    """Drains `store`'s outbox through `providers`; see the module docstring."""

    def __init__(
        self,
        store: OutboxStore,
        providers: Sequence[Provider],
        clock: Clock,
        *,
        hold_seconds: float = DEFAULT_HOLD_SECONDS,
        poll_seconds: float = 30.0,
        seed: int | None = None,
        components: Iterable[str] = (),
    ) -> None:
        self.store = store
        self.providers = list(providers)
        self.clock = clock
        self.hold_seconds = hold_seconds
        self.poll_seconds = poll_seconds
        self.components = list(components)
        self.rng = random.Random(seed)
        self.runs: dict[str, _ProviderRun] = {p.name: _ProviderRun() for p in self.providers}
        # (provider key, local incident) -> id learnt this run
        self._links: dict[tuple[str, str], str] = {}
        # held intents someone said to send anyway (the TUI asks)
        self._released: set[str] = set()
        if getattr(store, "kind", "live") == "drill":
            for p in self.providers:
                for http in getattr(p, "clients", None) or [getattr(p, "http", None)]:
                    if http is None or getattr(http, "reaches_network", True):
                        raise SyncRefused(
                            f"a drill store's outbox never reaches a real provider: {p.name} "
                            "is not an in-process fake or loopback"
                        )

    # -- status --------------------------------------------------------------------------

    def health(self) -> dict[str, Health]:
        now = self.clock.now()
        out = {}
        for name, run in self.runs.items():
            h = run.health
            if h.state in ("backing_off", "offline") and h.until is not None and h.until <= now:
                h = Health("ok") if h.state == "backing_off" else h
            out[name] = h
        return out

    def status(self) -> list[ProviderStatus]:
        """Each provider's state for the status bar: ok, offline, backing off, N queued, paused-401."""
        queued: dict[str, int] = {}
        held: dict[str, int] = {}
        failed: dict[str, int] = {}
        for provider, _intent, rec in self._pending_pairs(include_settled=True):
            state = rec.get("state") if rec else None
            if state == "held":
                held[provider.name] = held.get(provider.name, 0) + 1
            elif state == "failed":
                failed[provider.name] = failed.get(provider.name, 0) + 1
            elif state not in TERMINAL:
                queued[provider.name] = queued.get(provider.name, 0) + 1
        return summarize(self.health(), queued, held, failed, self.clock.now())

    # -- choosing work ---------------------------------------------------------------------

    def _incident_doc(self, inc_id: str | None) -> dict[str, Any] | None:
        if not inc_id:
            return None
        inc = self.store.state.get(inc_id)
        if inc is None:
            return None
        doc = inc.to_json()
        links = dict(doc.get("provider_ids") or {})
        for (provider, local), rid in self._links.items():
            if local == inc.id:
                links.setdefault(provider, rid)
        doc["provider_ids"] = links
        return doc

    def _pending_pairs(self, include_settled: bool = False):
        """(provider, intent, record or None) for every intent each provider acts on."""
        deliveries = self.store.deliveries
        for provider in self.providers:
            for intent in list(self.store.intents.values()):
                rec = deliveries.get((intent["id"], provider.name))
                if rec is not None and rec.get("state") in TERMINAL and not include_settled:
                    continue
                if rec is None and not provider.concerns(
                    intent, self._incident_doc(intent.get("incident"))
                ):
                    continue
                yield provider, intent, rec

    def _work_for(
        self, provider: Provider, send_held: bool
    ) -> tuple[list[tuple[dict, dict | None]], list[dict]]:
        """(intents to send now in order, new 'held' records)."""
        now = self.clock.now()
        blocked: set[str] = set()
        work: list[tuple[dict, dict | None]] = []
        held_records: list[dict] = []
        for p, intent, rec in self._pending_pairs():
            if p is not provider:
                continue
            inc = intent.get("incident") or ""
            if inc and inc in blocked:
                continue
            already_held = rec is not None and rec.get("state") == "held"
            too_old = (
                intent.get("op") in TRIGGERS
                and (rec is None or rec.get("state") == "held")
                and (now - parse_instant(intent["created_at"])).total_seconds() > self.hold_seconds
            )
            if (already_held or too_old) and not send_held and intent["id"] not in self._released:
                if not already_held:
                    age = int((now - parse_instant(intent["created_at"])).total_seconds() // 60)
                    held_records.append(
                        _delivery(
                            intent["id"],
                            provider.name,
                            "held",
                            now,
                            f"queued {age} min ago; `sync --send-held` sends it",
                        )
                    )
                if inc:
                    blocked.add(inc)
                continue
            work.append((intent, rec))
        return work, held_records

    def held(self) -> list[dict[str, Any]]:
        """What waits for a decision: [{intent, provider, op, incident, created_at, detail}]."""
        out = []
        for provider, intent, rec in self._pending_pairs():
            if rec and rec.get("state") == "held":
                out.append(
                    {
                        "intent": intent["id"],
                        "provider": provider.name,
                        "op": intent.get("op"),
                        "incident": intent.get("incident"),
                        "created_at": intent.get("created_at"),
                        "detail": rec.get("detail", ""),
                    }
                )
        return out

    def release(self, intent_id: str) -> None:
        """Send this held intent on the next pass (the TUI's answer to 'send it anyway?')."""
        self._released.add(intent_id)

    # -- one pass ---------------------------------------------------------------------------

    def run_once(self, send_held: bool = False, poll: bool = True) -> PassReport:
        """Send what can be sent now (no waiting), then poll each provider once."""
        if self.store.read_only:
            raise SyncRefused(
                "the store is open read-only: nothing is sent (sync shows what is queued)"
            )
        self.store.refresh()
        report = PassReport()
        for provider in self.providers:
            report.merge(self._drain_provider(provider, send_held))
        if poll:
            for provider in self.providers:
                report.news += self._poll(provider)
        report.retrying = sum(
            1 for _p, _i, rec in self._pending_pairs() if not rec or rec.get("state") == "retrying"
        )
        report.held = [
            (i["id"], p.name)
            for p, i, rec in self._pending_pairs()
            if rec and rec.get("state") == "held"
        ]
        return report

    def _ready(self, provider: Provider) -> bool:
        run = self.runs[provider.name]
        if run.health.state == "paused":
            return False
        until = run.health.until
        return until is None or until <= self.clock.now()

    def _drain_provider(self, provider: Provider, send_held: bool) -> PassReport:
        report = PassReport()
        if not self._ready(provider):
            return report
        work, held_records = self._work_for(provider, send_held)
        if held_records:
            self.store.transact(lambda _s: Batch(deliveries=held_records))
        for start in range(0, len(work), CHUNK):
            chunk = work[start : start + CHUNK]
            stop = self._send_chunk(provider, chunk, report)
            if stop:
                break
        return report

    def _send_chunk(
        self, provider: Provider, chunk: list[tuple[dict, dict | None]], report: PassReport
    ) -> bool:
        """Send a chunk; True when the provider must stop (back-off or pause)."""
        now = self.clock.now()
        # the mark that survives a crash mid-send: whatever is 'sending' is looked for first
        marks = [
            _delivery(
                intent["id"],
                provider.name,
                "retrying",
                now,
                "sending",
                None,
                ambiguous=True,
                health="ok",
                attempts=int((rec or {}).get("attempts", 0)) + 1,
            )
            for intent, rec in chunk
        ]
        self.store.transact(lambda _s: Batch(deliveries=marks))
        results: list[tuple[dict, Delivery | None, dict]] = []  # (intent, delivery, record)
        stop = False
        for n, (intent, rec) in enumerate(chunk):
            ambiguous = bool(rec and rec.get("state") == "retrying" and rec.get("ambiguous", True))
            ctx = self._context(
                provider, intent, ambiguous, int((rec or {}).get("attempts", 0)) + 1
            )
            try:
                done = provider.deliver(intent, ctx)
            except ReadOnlyRefused:
                # never reached the provider: undo the mark
                results.append(
                    (
                        intent,
                        None,
                        _delivery(
                            intent["id"],
                            provider.name,
                            "retrying",
                            self.clock.now(),
                            "read-only: not sent",
                            ambiguous=False,
                            health="read_only",
                        ),
                    )
                )
                self.runs[provider.name].health = Health("read_only", None, "read-only")
                stop = True
            except CallFailed as exc:
                results.append(
                    (intent, None, self._failed_record(provider, intent, rec, exc, report))
                )
                stop = exc.decision.action in ("retry", "wait", "pause")
            else:
                self._learn_links(provider, intent, done)
                state = done.state
                results.append(
                    (
                        intent,
                        done,
                        _delivery(
                            intent["id"],
                            provider.name,
                            state,
                            self.clock.now(),
                            done.detail,
                            done.remote_id,
                        ),
                    )
                )
                if state == "sent":
                    report.sent += 1
                else:
                    report.superseded += 1
                self.runs[provider.name].failures = 0
                if self.runs[provider.name].health.state != "paused":
                    self.runs[provider.name].health = Health("ok")
            if stop:
                # the rest of the chunk was never tried: clear their 'sending' mark
                for later, later_rec in chunk[n + 1 :]:
                    results.append(
                        (
                            later,
                            None,
                            _delivery(
                                later["id"],
                                provider.name,
                                "retrying",
                                self.clock.now(),
                                "waiting",
                                ambiguous=bool(later_rec and later_rec.get("ambiguous")),
                                health=self.runs[provider.name].health.state,
                                attempts=int((later_rec or {}).get("attempts", 0)),
                            ),
                        )
                    )
                break

        def write(state: State) -> Batch:
            batch = Batch()
            at = self.clock.now()
            for intent, done, record in results:
                batch.deliveries.append(record)
                if done is not None:
                    batch.events.extend(delivery_events(intent, provider.name, done, state, at))
                elif record["state"] == "failed":
                    batch.events.append(
                        failure_event(intent, provider.name, record["detail"], state, at)
                    )
            return batch

        self.store.transact(write)
        return stop

    def _failed_record(
        self,
        provider: Provider,
        intent: dict,
        rec: dict | None,
        exc: CallFailed,
        report: PassReport,
    ) -> dict:
        run = self.runs[provider.name]
        now = self.clock.now()
        decision: Decision = exc.decision
        was_ambiguous = bool(rec and rec.get("state") == "retrying" and rec.get("ambiguous"))
        attempts = int((rec or {}).get("attempts", 0)) + 1
        if decision.action == "final":
            report.failed += 1
            report.lines.append(
                f"{provider.name}: {intent['op']} {intent.get('incident') or ''} failed: {exc.summary}"
            )
            return _delivery(
                intent["id"], provider.name, "failed", now, exc.summary, attempts=attempts
            )
        if decision.action == "pause":
            run.health = Health("paused", None, exc.summary)
            report.lines.append(f"{provider.name}: paused: {exc.summary}")
            return _delivery(
                intent["id"],
                provider.name,
                "retrying",
                now,
                exc.summary,
                ambiguous=was_ambiguous,
                health="paused",
                attempts=attempts,
            )
        run.failures += 1
        delay = wait_for(decision, run.failures, self.rng)
        until = now.add(microseconds=int(delay * 1_000_000))
        state = "offline" if exc.offline else "backing_off"
        run.health = Health(state, until, exc.summary)
        return _delivery(
            intent["id"],
            provider.name,
            "retrying",
            now,
            exc.summary,
            ambiguous=was_ambiguous or exc.ambiguous,
            health=state,
            until=iso(until),
            attempts=attempts,
        )

    def _context(
        self, provider: Provider, intent: dict, ambiguous: bool, attempt: int
    ) -> DeliveryContext:
        doc = self._incident_doc(intent.get("incident"))
        remote_ids = {}
        for inc in self.store.state.incidents.values():
            rid = inc.provider_ids.get(provider.name) or self._links.get((provider.name, inc.id))
            if rid:
                remote_ids[inc.id] = rid
        remote_id = (doc or {}).get("provider_ids", {}).get(provider.name)
        return DeliveryContext(
            remote_id=remote_id,
            incident=doc,
            remote_ids=remote_ids,
            retry_after_ambiguity=ambiguous,
            attempt=attempt,
        )

    def _learn_links(self, provider: Provider, intent: dict, done: Delivery) -> None:
        inc = intent.get("incident")
        if not inc:
            return
        if done.linked:
            self._links[(provider.name, inc)] = done.linked
        for other, rid in done.extra_links.items():
            self._links[(other, inc)] = rid

    # -- pulling -----------------------------------------------------------------------------

    def _poll(self, provider: Provider) -> int:
        run = self.runs[provider.name]
        if run.health.state == "paused" or not self._ready(provider):
            return 0
        started = self.clock.now()
        since = run.last_poll.subtract(seconds=POLL_OVERLAP_SECONDS) if run.last_poll else None
        try:
            news = provider.poll(since)
        except CallFailed as exc:
            if exc.decision.action == "pause":
                run.health = Health("paused", None, exc.summary)
            elif exc.decision.retryable:
                run.failures += 1
                delay = wait_for(exc.decision, run.failures, self.rng)
                run.health = Health(
                    "offline" if exc.offline else "backing_off",
                    started.add(microseconds=int(delay * 1_000_000)),
                    exc.summary,
                )
            return 0
        run.last_poll = started
        self._record_oncalls(provider)
        if not news:
            return 0
        unsettled = [
            i
            for i in self.store.intents.values()
            if (self.store.deliveries.get((i["id"], provider.name)) or {}).get("state")
            not in TERMINAL
        ]

        def write(state: State) -> Batch:
            return Batch(
                events=news_events(news, state, pending_keys(unsettled, state), self.components)
            )

        batch = self.store.transact(write)
        return len(batch.events)

    def _record_oncalls(self, provider: Provider) -> None:
        """Who the provider says is on call, as a store-wide "oncall_reported" event when it
        changed since the last report (the on-call pane can compare it with the config)."""
        fetch = getattr(provider, "oncalls", None)
        if fetch is None:
            return
        try:
            current = fetch()
        except (CallFailed, ReadOnlyRefused):
            return
        last = next(
            (
                e
                for e in reversed(self.store.state.store_events)
                if e.kind == "oncall_reported" and e.data.get("provider") == provider.name
            ),
            None,
        )
        if (last.data.get("oncalls") if last is not None else []) == current:
            return  # unchanged (or nothing to report yet)
        names = ", ".join(sorted({o.get("user", "") for o in current if o.get("user")})) or "nobody"
        at = self.clock.now()
        ev = Event(
            id=stable_id("oncall", provider.name, iso(at) or ""),
            at=at,
            kind="oncall_reported",
            author=SYNC_AUTHOR,
            origin="sync",
            text=f"{label(provider.name)} says on call: {names}",
            incident=None,
            data={"provider": provider.name, "oncalls": current},
        )
        self.store.transact(lambda _s: Batch(events=[ev]))

    # -- loops -------------------------------------------------------------------------------

    def idle(self, send_held: bool = False) -> bool:
        """Nothing left that could be sent without a decision (held) or new credentials."""
        for provider in self.providers:
            if self.runs[provider.name].health.state in ("paused", "read_only"):
                continue
            work, _held = self._work_for(provider, send_held)
            if work:
                return False
        return True

    def next_wake(self) -> DateTime | None:
        untils = [r.health.until for r in self.runs.values() if r.health.until is not None]
        return min(untils) if untils else None

    def drain(
        self, send_held: bool = False, max_seconds: float = 3600.0, poll: bool = False
    ) -> PassReport:
        """Pass after pass, sleeping through the clock between back-offs, until idle."""
        report = PassReport()
        deadline = self.clock.now().add(seconds=max_seconds)
        while True:
            report.merge(self.run_once(send_held=send_held, poll=poll))
            if self.idle(send_held) or self.clock.now() >= deadline:
                return report
            wake = self.next_wake()
            wait = (wake - self.clock.now()).total_seconds() if wake else 0.05
            self.clock.sleep(max(min(wait, (deadline - self.clock.now()).total_seconds()), 0.001))

    def run_forever(self, stop: Any = None, on_pass: Any = None) -> None:
        """The `sync` loop: drain, poll every `poll_seconds`, sleep through the clock.
        `on_pass(report)` hears what each pass did (for the loop to say so)."""
        next_poll = self.clock.now()
        while stop is None or not stop():
            do_poll = self.clock.now() >= next_poll
            report = self.run_once(poll=do_poll)
            if on_pass is not None:
                on_pass(report)
            if do_poll:
                next_poll = self.clock.now().add(seconds=self.poll_seconds)
            wake = self.next_wake()
            until = min([t for t in (wake, next_poll) if t is not None])
            # wait for the next wake or poll, looking at the store each second: what
            # another process queues (exec, a screen) goes out within a second or two,
            # not at the next poll
            while True:
                left = (until - self.clock.now()).total_seconds()
                self.clock.sleep(min(max(left, 0.0), 1.0) if left > 0 else 1.0)
                if left <= 1.0 or self.store.refresh():
                    break

    def close(self) -> None:
        for p in self.providers:
            p.close()
