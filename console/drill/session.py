"""A running drill: its own store, a simulated clock, the injects due, the score.

`start_drill(...)` makes a new, empty drill store (so the first incident is INC-1) and a
`DrillSession`. The TUI calls `.tick()` from a worker about four times a second and drives
`.clock` with its keys; headless, `run_headless()` jumps the clock from one due thing to
the next, so an hour's drill runs in well under a second of work.

What `.tick()` does, in time order up to the clock's now (at one instant: injects, then
the commander's scripted moves, then timers, so an ack made at the second an escalation
falls due wins, as in escalation.py):
- injects: alerts through intake (origin "intake"), faults into the fakes, other
  responders' actions (origin "provider"), customer reports (origin "drill");
- the responses script's command lines (origin "local"), headless;
- escalations, acknowledgement timeouts and auto-resolves (`timed_events`);
then one pass of the sync engine to the in-process fakes.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pendulum import DateTime

from console.domain.clock import SimulatedClock, iso
from console.domain.model import Event, State
from console.drill.folders import KEEP, hold, prune, release
from console.drill.remote import DrillRemote
from console.drill.responses import Response
from console.drill.scenario import Inject, Scenario
from console.store import Batch, Store

TIMED_ORIGIN = "local"  # the console's own escalation engine, as it runs live
# a tick stops after this many due things, so a storm at x60 cannot freeze the worker
MAX_STEPS_PER_TICK = 2000
# headless, alerts this close together are taken in one step (one durable write)
BURST_SECONDS = 30
# how often a drill asks the fakes for news (simulated seconds), like `[sync] poll_seconds`
POLL_SECONDS = 30


@dataclass
class Happened:
    """One line of what a tick did (the status line, the headless log)."""

    at: DateTime
    text: str
    kind: str = "inject"


@dataclass
class ScriptFailure:
    at: DateTime
    line: str
    why: str
    where: str


@dataclass
class DrillSession:
    scenario: Scenario
    store: Store
    clock: SimulatedClock
    remote: DrillRemote
    responses: list[Response] = field(default_factory=list)
    headless: bool = False
    _next_inject: int = 0
    _next_response: int = 0
    _finished: bool = False
    _finished_at: DateTime | None = None
    _final_report: Any = None  # the report saved at the end
    failures: list[ScriptFailure] = field(default_factory=list)
    log: list[Happened] = field(default_factory=list)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _intake_config: Any = None
    _sync_due: bool = True
    _timer_book: Any = None
    _in_use: Any = None  # the open file whose lock marks this drill's folder in use
    _last_poll: DateTime | None = None
    report_paths: tuple[Path, ...] = ()

    # -- what the UI reads ------------------------------------------------------------------

    @property
    def settings(self):
        return self.scenario.settings

    @property
    def finished(self) -> bool:
        return self._finished

    @property
    def state(self) -> State:
        return self.store.state

    def elapsed(self) -> float:
        return (self.clock.now() - self.scenario.start).total_seconds()

    # -- the commander's commands ---------------------------------------------------------

    def execute(self, line: str, selected: str | None = None):
        """Run a command line as the commander (origin "local") at the simulated time.

        Raises ParseError or Refused (console.actions) with a one-sentence reason.
        """
        from console.actions import execute_line

        with self._lock:
            out = execute_line(
                self.store, line, self.settings, self.clock, origin="local", selected=selected
            )
            self._sync_due = True
            return out

    # -- the clock's work ------------------------------------------------------------------

    def _inject_time(self, i: int) -> DateTime:
        return self.scenario.start.add(microseconds=int(self.scenario.injects[i].at * 1e6))

    def _response_time(self, i: int) -> DateTime:
        return self.scenario.start.add(microseconds=int(self.responses[i].at * 1e6))

    def _timers(self, by: DateTime) -> list[Event]:
        if self._timer_book is None:
            from console.drill.timers import DrillTimers

            self._timer_book = DrillTimers(self.settings, self.scenario.end, TIMED_ORIGIN)
        return self._timer_book.due(self.store.state, by)

    def next_due(self) -> DateTime | None:
        """When something next happens if the commander does nothing (None: nothing will)."""
        with self._lock:
            if self._finished:
                return None
            found = []
            if self._next_inject < len(self.scenario.injects):
                found.append(self._inject_time(self._next_inject))
            if self._next_response < len(self.responses):
                found.append(self._response_time(self._next_response))
            timers = self._timers(self.scenario.end)
            if timers:
                found.append(timers[0].at)
            wake = self.remote.next_wake()
            if wake is not None and wake > self.clock.now():
                found.append(wake)
            return min(found) if found else None

    def tick(self) -> list[Happened]:
        """Do everything due by the clock's now, in time order; then one sync pass."""
        with self._lock:
            if self._finished:
                return []
            now = self.clock.now()
            done: list[Happened] = []
            for _ in range(MAX_STEPS_PER_TICK):
                if not self._step(now, done):
                    break
            self._sync(now, done)
            self._check_finished(now)
            self.log.extend(done)
            return done

    def _sync(self, now: DateTime, done: list[Happened]) -> None:
        """One pass of the sync engine when there is something to send or to hear.

        Sending is cheap in-process; a poll costs a few requests per provider, so it runs
        every POLL_SECONDS of simulated time, and at once after another responder acted
        in a provider's web UI (so their change comes back now, as it would live)."""
        if not self.remote.available:
            return
        wake = self.remote.next_wake()
        poll = (
            self._last_poll is None
            or (now - self._last_poll).total_seconds() >= POLL_SECONDS
            or any(h.kind == "responder" for h in done)
        )
        if not (self._sync_due or done or poll or (wake is not None and wake <= now)):
            return
        for line in self.remote.run(poll=poll):
            done.append(Happened(now, line, "sync"))
        if poll:
            self._last_poll = now
        self._sync_due = False

    def _step(self, now: DateTime, done: list[Happened]) -> bool:
        """Do the earliest due thing; False when nothing is due by `now`."""
        t_inj = (
            self._inject_time(self._next_inject)
            if self._next_inject < len(self.scenario.injects)
            else None
        )
        t_resp = (
            self._response_time(self._next_response)
            if self._next_response < len(self.responses)
            else None
        )
        due = [t for t in (t_inj, t_resp) if t is not None and t <= now]
        t_ext = min(due) if due else None
        timers = self._timers(t_ext or now)
        if t_ext is not None:
            # timers due strictly before the next inject or move fire first; at the same
            # instant the inject or move comes first (an ack at that second wins)
            timers = [e for e in timers if e.at < t_ext]
        if timers:
            self._write_timers(timers)
            done.extend(Happened(e.at, f"{e.incident}: {e.text}", "timer") for e in timers)
            return True
        if t_ext is None:
            return False
        if t_inj is not None and t_inj == t_ext:
            self._fire_injects(t_inj, now, done)
        else:
            self._run_response(self._next_response, t_ext, done)
            self._next_response += 1
        return True

    def _write_timers(self, events: list[Event]) -> None:
        self.store.transact(lambda state: Batch(events=list(events)))
        self._sync_due = True

    def _fire_injects(self, at: DateTime, now: DateTime, done: list[Happened]) -> None:
        """Every inject due at `at`, and the alerts right after it that are due by `now`
        before the next scripted move: a burst of alerts shares one durable write (each
        keeps its own time; a timer falling inside a burst is written just after it)."""
        t_resp = (
            self._response_time(self._next_response)
            if self._next_response < len(self.responses)
            else None
        )
        alerts: list[tuple[Inject, DateTime]] = []
        while self._next_inject < len(self.scenario.injects):
            t = self._inject_time(self._next_inject)
            inj = self.scenario.injects[self._next_inject]
            burst = (
                inj.kind == "alert" and bool(alerts) and t <= now and (t_resp is None or t < t_resp)
            )
            if t != at and not burst:
                break
            self._next_inject += 1
            if inj.kind == "alert":
                alerts.append((inj, t))
                continue
            self._flush_alerts(alerts, done)
            alerts = []
            self._fire_one(inj, at, done)
        self._flush_alerts(alerts, done)
        self._sync_due = True

    def _flush_alerts(self, alerts: list[tuple[Inject, DateTime]], done: list[Happened]) -> None:
        if not alerts:
            return
        from console.domain.intake.alert import parse_body
        from console.domain.intake.config import load_intake_config
        from console.domain.intake.engine import intake_alerts

        if self._intake_config is None:
            self._intake_config = load_intake_config(self.settings)
        config, settings = self._intake_config, self.settings
        fns = [
            lambda state, body=inj.spec["body"], at=at: intake_alerts(
                state, settings, parse_body(body, at), at, config=config
            )
            for inj, at in alerts
        ]
        results = self.store.transact_many(fns)
        for (inj, at), res in zip(alerts, results, strict=True):
            outcomes = ", ".join(
                f"{o.result}{' ' + o.incident if o.incident else ''}" for o in res.outcomes
            )
            done.append(Happened(at, f"{inj.label} → {outcomes or 'nothing'}", "alert"))

    def _fire_one(self, inj: Inject, at: DateTime, done: list[Happened]) -> None:
        if inj.kind == "fault":
            text = self.remote.inject_fault(inj.spec, at)
            self.store.transact(
                lambda state: Batch(
                    events=[_drill_event(at, None, "drill_fault", f"Drill: {text}")]
                )
            )
            done.append(Happened(at, text, "fault"))
        elif inj.kind == "responder":
            action = self.remote.responder(inj.spec, self.store.state, at)
            if action.events:
                self.store.transact(lambda state: Batch(events=list(action.events)))
            done.append(Happened(at, action.line, "responder"))
        else:
            spec = inj.spec
            target = _report_target(self.store.state, spec.get("incident"))
            text = f"Customer report ({spec['channel']}) from {spec['from']}: {spec['text']}"
            ev = Event(
                id=uuid.uuid4().hex,
                at=at,
                kind="customer_report",
                author=spec["from"],
                origin="drill",
                text=text,
                incident=target,
                data={"channel": spec["channel"], "text": spec["text"]},
            )
            self.store.transact(lambda state: Batch(events=[ev]))
            done.append(Happened(at, text, "customer_report"))

    def _run_response(self, i: int, at: DateTime, done: list[Happened]) -> None:
        from console.actions import execute_line
        from console.commands.apply import Refused
        from console.commands.grammar import ParseError
        from console.domain.clock import FixedClock

        resp = self.responses[i]
        try:
            out = execute_line(self.store, resp.line, self.settings, FixedClock(at), origin="local")
        except (Refused, ParseError) as exc:
            self.failures.append(ScriptFailure(at, resp.line, str(exc), resp.where))
            done.append(Happened(at, f"refused: {resp.line}: {exc}", "refused"))
            return
        self._sync_due = True
        text = "; ".join(e.text for e in out.events if e.incident) or resp.line
        done.append(Happened(at, f"{resp.line} → {text}", "command"))

    def _check_finished(self, now: DateTime) -> None:
        if now >= self.scenario.end:
            self._finish(self.scenario.end)
            return
        quiet = (
            self._next_inject >= len(self.scenario.injects)
            and self._next_response >= len(self.responses)
            and not self.store.state.open_incidents()
            and self.remote.settled()
        )
        if quiet:
            self._finish(now)

    def _finish(self, at: DateTime) -> None:
        self._finished = True
        self._finished_at = at
        self.report_paths = self._save_report()

    def _save_report(self) -> tuple[Path, ...]:
        """The after-action report beside the drill's store folder: NAME.report.md, .json."""
        import json

        from console.drill.report import build_report

        report = self._final_report = build_report(self)
        stem = self.store.path.parent / f"{self.store.path.name}.report"
        out = (stem.with_name(stem.name + ".md"), stem.with_name(stem.name + ".json"))
        texts = (report.markdown, json.dumps(report.data, indent=2, ensure_ascii=False) + "\n")
        try:
            for path, text in zip(out, texts, strict=True):
                tmp = path.with_name(path.name + ".tmp")
                tmp.write_text(text, encoding="utf-8")
                tmp.replace(path)
        except OSError as exc:  # a full disk must not end the drill; the screen says so
            self.log.append(Happened(at=self.clock.now(), text=f"report not saved: {exc}"))
            return ()
        return out

    @property
    def finished_at(self) -> DateTime | None:
        return self._finished_at

    # -- headless --------------------------------------------------------------------------

    def run_headless(self) -> Any:
        """Play the whole drill, jumping the clock from one due thing to the next."""
        self.clock.pause(True)
        while True:
            self.tick()
            if self._finished:
                # the one just saved: nothing moves after the end in a headless drill
                return self._final_report if self._final_report is not None else self.report()
            now = self.clock.now()
            nxt = self.next_due()
            if nxt is None or nxt > self.scenario.end:
                nxt = self.scenario.end
            nxt = self._burst_end(nxt)
            if nxt <= now:
                # due but not doable yet (a provider still backing off): move on a second
                nxt = now.add(seconds=1)
            self.clock.advance((nxt - now).total_seconds())

    def _burst_end(self, nxt: DateTime) -> DateTime:
        """When the next thing is an alert, the last alert of its burst: alerts following
        it within BURST_SECONDS with nothing else due in between, taken in one step."""
        i = self._next_inject
        injects = self.scenario.injects
        if i >= len(injects) or injects[i].kind != "alert" or self._inject_time(i) != nxt:
            return nxt
        others = [self.scenario.end]
        if self._next_response < len(self.responses):
            others.append(self._response_time(self._next_response))
        pending = self._timers(self.scenario.end)
        if pending:
            others.append(pending[0].at)
        stop = min(min(others), nxt.add(seconds=BURST_SECONDS))
        last = nxt
        while i < len(injects) and injects[i].kind == "alert" and self._inject_time(i) < stop:
            last = self._inject_time(i)
            i += 1
        return last

    # -- the report ------------------------------------------------------------------------

    def report(self):
        """The after-action report so far (final once `.finished`)."""
        from console.drill.report import build_report

        with self._lock:
            return build_report(self)

    def close(self) -> None:
        self.remote.close()
        self.store.close()
        if self._in_use is not None:
            # the folder may be cleaned up by a later drill now; the marker goes too
            release(self._in_use)
            self._in_use = None


def _report_target(state: State, inc_id: str | None) -> str | None:
    if inc_id and state.get(inc_id):
        return inc_id.upper()
    open_ = state.open_incidents()
    return open_[0].id if len(open_) == 1 else None


def _drill_event(at: DateTime, inc: str | None, kind: str, text: str) -> Event:
    return Event(
        id=uuid.uuid4().hex,
        at=at,
        kind=kind,
        author="drill",
        origin="drill",
        text=text,
        incident=inc,
    )


# -- starting ---------------------------------------------------------------------------------


def new_drill_folder(root: Path | None, name: str) -> Path:
    """A new, empty folder for this drill's store under `root` (default: the data folder):
    `NAME-001`, `NAME-002`... (made with mkdir, so two drills never share one)."""
    from console.paths import default_drill_store_root

    base = Path(root) if root is not None else default_drill_store_root()
    base.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in name)[:60] or "drill"
    taken = [p.name for p in base.glob(f"{safe}-*")]
    n = max((int(t.rsplit("-", 1)[1]) for t in taken if t.rsplit("-", 1)[1].isdigit()), default=0)
    for k in range(n + 1, n + 1000):
        folder = base / f"{safe}-{k:03d}"
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # another drill took it a moment ago
        return folder
    return Path(tempfile.mkdtemp(prefix=f"{safe}-", dir=base))


def start_drill(
    scenario: str | Path | Scenario,
    root: Path | None = None,
    speed: float = 1,
    headless: bool = False,
    responses: Sequence[Response] | str | Path | None = None,
    paused: bool = False,
) -> DrillSession:
    """Start a drill on a new, empty drill store. `scenario`: a bundled name or a path.

    The clock runs from the start at `speed` (x1, x10, x60) unless `paused` or `headless`;
    `responses` (a list or a responses file) plays the commander's moves.
    Raises DrillError (a scenario or responses file that cannot be used, naming file, line
    and field) or StoreError (the drill folder cannot be made).
    """
    from console.drill.catalog import find_scenario
    from console.drill.responses import load_responses

    sc = scenario if isinstance(scenario, Scenario) else find_scenario(scenario)
    if isinstance(responses, (str, Path)):
        responses = load_responses(Path(responses), sc.start, sc.duration)
    folder = new_drill_folder(root, sc.name)
    in_use = hold(folder)  # until close(): a later drill's clean-up leaves this one alone
    store = Store.open(folder, kind="drill")
    prune(folder.parent, KEEP, current=folder)
    clock = SimulatedClock(sc.start, speed=speed, paused=headless or paused)
    remote = DrillRemote(store, sc.settings, clock, sc.config, sc.duration)
    session = DrillSession(
        scenario=sc,
        store=store,
        clock=clock,
        remote=remote,
        responses=list(responses or []),
        headless=headless,
    )
    session._in_use = in_use
    return session


__all__ = ["DrillSession", "Happened", "start_drill", "iso"]
