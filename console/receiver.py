"""The alert receiver: Events v2, Alertmanager and Opsgenie bodies over HTTP on 127.0.0.1.

    POST /v2/enqueue                      PagerDuty Events API v2 (trigger, acknowledge, resolve)
    POST /v2/change/enqueue               PagerDuty change events
    POST /alertmanager[?routing_key=K]    Prometheus Alertmanager webhook v4
    POST /v2/alerts                       Opsgenie create alert
    POST /v2/alerts/ALIAS/close|acknowledge?identifierType=alias   Opsgenie close / acknowledge

Each request is parsed and checked in its own thread; writes are group-committed: one
request thread at a time writes for every request waiting, in one durable append. The
answer (202, with the dedup key) is sent only once the events are durable, so a sender
that got a 202 can never lose its alert. Bad input gets the provider's own error body
(../shared/specs) and changes nothing; a body over 512 KB is refused before it is read.

Nothing a sender says is logged: bodies and headers (Opsgenie's `Authorization: GenieKey`)
may hold secrets. The server binds to loopback only.
"""

from __future__ import annotations

import gc
import json
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from console.domain.intake.alert import Alert, AlertFormatError, clean_text, parse_body
from console.domain.intake.config import IntakeConfig, intake_config
from console.domain.intake.engine import IntakeResult, intake_alerts
from console.domain.model import State

MAX_BODY = 512 * 1024
# a sender that ignores the cap is drained up to this much so it can read the 400;
# beyond it the connection is simply closed
MAX_DRAIN = 8 * 1024 * 1024
MAX_GROUP = 256

HOST = "127.0.0.1"


class Sink(Protocol):
    """Where intake's writes go: the store's group-commit entry point."""

    def transact_many(self, fns: list[Callable[[State], Any]]) -> list[Any]: ...


@dataclass
class _Failed:
    """A write function that raised: it persists nothing and its request gets a 500."""

    error: BaseException
    events: tuple = ()
    intents: tuple = ()


class _Pending:
    """One queued write: its function, then its result (or error) once its group is durable.

    A sender that found nobody writing writes at once (no lock: nobody has to wake it).
    Any other waits on a bare lock, which is also how it is told to write for the group
    when its turn comes (see GroupCommitter).
    """

    __slots__ = ("fn", "_committer", "_wake", "_settled", "_lead", "_result", "_error")

    def __init__(
        self, fn: Callable[[State], Any], committer: GroupCommitter, writes_first: bool
    ) -> None:
        self.fn = fn
        self._committer = committer
        self._wake: threading.Lock | None = None
        if not writes_first:
            self._wake = threading.Lock()
            self._wake.acquire()
        self._settled = False
        self._lead = False
        self._result: Any = None
        self._error: BaseException | None = None

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        self._result, self._error = result, error
        self._settled = True
        if self._wake is not None:
            self._wake.release()

    def promote(self) -> None:
        """Make this (waiting) sender the writer for whatever is waiting, itself included."""
        self._lead = True
        self._wake.release()  # type: ignore[union-attr]  # only a waiting one is promoted

    def result(self) -> Any:
        """Wait until durable (writing for the group if asked); return fn's result or raise."""
        if not self._settled:
            wake = self._wake
            if wake is None:
                # nobody was writing: this sender's write heads the first group, which it
                # writes now in its own thread (settled when that returns, or raised)
                self._committer._write_round()
            else:
                while True:
                    wake.acquire()
                    if self._settled:
                        wake.release()  # settled for good: another call returns at once
                        break
                    if self._lead:
                        self._lead = False
                        self._committer._write_round()
        if self._error is not None:
            raise self._error
        return self._result


class GroupCommitter:
    """Group commit by the senders themselves: one writes, for everyone waiting, at a time.

    A sender that finds nobody writing writes at once, in its own thread: a lone sender
    pays no hand-over to another thread. Senders that arrive during a write wait; when it
    is durable, the first of them is woken to write the next group (all that waited, up
    to MAX_GROUP) in one `transact_many`, one fsync. Every sender must call `.result()`
    on what `submit` returns: that is where the writing happens.
    """

    def __init__(self, sink: Sink) -> None:
        # A receiver starts once its config is read and its store open: what exists now
        # lives as long as it does. Frozen out of the cyclic collector's reach, it is not
        # walked again by every full collection a storm's allocations set off (one took
        # 11-16 ms of 2,000 single-alert writes; 4 ms in all with this). Still freed by
        # reference counting; only a cycle already garbage now would stay.
        gc.freeze()
        self._sink = sink
        self._mutex = threading.Lock()
        # invariant: nobody writing means nobody waiting (a writer hands over or stops
        # under the mutex), so the sender that finds nobody writing is first in the queue
        self._waiting: list[_Pending] = []
        self._writing = False

    def submit(self, fn: Callable[[State], Any]) -> _Pending:
        """Queue a write; `.result()` on the answer returns once it is durable."""
        with self._mutex:
            first = not self._writing
            self._writing = True
            pending = _Pending(fn, self, first)
            self._waiting.append(pending)
        return pending

    def close(self) -> None:
        """Nothing to stop: writes happen in their senders' threads."""
        return None

    def _write_round(self) -> None:
        with self._mutex:
            waiting = self._waiting
            if len(waiting) <= MAX_GROUP:
                group, self._waiting = waiting, []
            else:
                group = waiting[:MAX_GROUP]
                del waiting[:MAX_GROUP]
        try:
            self._commit(group)
        finally:
            with self._mutex:
                if self._waiting:
                    self._waiting[0].promote()
                else:
                    self._writing = False

    def _commit(self, group: list[_Pending]) -> None:
        try:
            results = self._sink.transact_many([_guarded(p.fn) for p in group])
        except BaseException as exc:  # the write itself failed: nothing is durable
            for p in group:
                p.settle(error=exc)
            if not isinstance(exc, Exception):
                raise
            return
        for p, result in zip(group, results, strict=True):
            if isinstance(result, _Failed):
                p.settle(error=result.error)
            else:
                p.settle(result)


def _guarded(fn: Callable[[State], Any]) -> Callable[[State], Any]:
    """`fn`, answering an exception as a _Failed result: one bad write must not sink
    the others of its group."""

    def run(state: State) -> Any:
        try:
            return fn(state)
        except Exception as exc:
            return _Failed(exc)

    return run


# -- the providers' answers ------------------------------------------------------------


def _pd_error(errors: list[str], unrecognized: bool = False) -> dict[str, Any]:
    """Events v2's error body (components.responses.Error)."""
    if unrecognized:
        return {
            "status": "Unrecognized object",
            "message": "Event object format is unrecognized",
            "errors": errors,
        }
    return {"status": "invalid event", "message": "Event object is invalid", "errors": errors}


def _og_body(message: str, **extra: Any) -> dict[str, Any]:
    """Opsgenie's response envelope (BaseResponse: requestId and took are required)."""
    return {"message": message, **extra, "took": 0.0, "requestId": str(uuid.uuid4())}


def _og_errors(errors: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in errors:
        name = e.split("'")[1] if e.count("'") >= 2 else "body"
        out.setdefault(name, e)
    return out


@dataclass(frozen=True)
class _Route:
    fmt: str
    provider: str  # "pagerduty" or "opsgenie": whose answer shapes to use
    action: str | None = None  # Opsgenie close / acknowledge
    identifier: str | None = None


def _route(path: str) -> _Route | None:
    parts = [p for p in path.split("/") if p]
    if parts == ["v2", "enqueue"]:
        return _Route("events_v2", "pagerduty")
    if parts == ["v2", "change", "enqueue"]:
        return _Route("change_v2", "pagerduty")
    if parts == ["alertmanager"]:
        return _Route("alertmanager", "pagerduty")
    if parts == ["v2", "alerts"]:
        return _Route("opsgenie", "opsgenie")
    if len(parts) == 4 and parts[:2] == ["v2", "alerts"] and parts[3] in ("close", "acknowledge"):
        return _Route(
            "opsgenie_action",
            "opsgenie",
            "resolve" if parts[3] == "close" else "acknowledge",
            unquote(parts[2]),
        )
    return None


class _Handler(BaseHTTPRequestHandler):
    server: AlertReceiver
    protocol_version = "HTTP/1.1"
    # a sender that stops mid-request (or idles on a kept-alive connection) frees its
    # thread after this long instead of holding it forever
    timeout = 30
    server_version = "incident-console-receiver"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        # answers are small and written once; without this, Nagle's algorithm and the
        # sender's delayed ACK add ~40 ms to every request on a kept-alive connection
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        # quiet by design: request lines and headers can carry keys and tokens
        return

    def _send(self, status: int, doc: dict[str, Any], close: bool = False) -> None:
        data = json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        # headers and body in one write (end_headers would flush the headers alone)
        self._headers_buffer.append(b"\r\n")
        self.wfile.write(b"".join(self._headers_buffer) + data)
        self._headers_buffer = []

    def _refuse(
        self,
        route: _Route | None,
        status: int,
        errors: list[str],
        unrecognized: bool = False,
        close: bool = False,
    ) -> None:
        if route is not None and route.provider == "opsgenie":
            if unrecognized:
                self._send(
                    status,
                    _og_body("Could not parse request body", errors={"body": errors[0]}),
                    close,
                )
            else:
                self._send(
                    status,
                    _og_body(
                        "Request body is not processable. Please check the errors.",
                        errors=_og_errors(errors),
                    ),
                    close,
                )
            return
        self._send(status, _pd_error(errors, unrecognized), close)

    def do_GET(self) -> None:  # noqa: N802
        if urlsplit(self.path).path == "/health":
            self._send(200, {"status": "ok"})
        else:
            self._send(
                404,
                {
                    "status": "Not found",
                    "message": "POST alerts to /v2/enqueue, /alertmanager or /v2/alerts",
                    "errors": [],
                },
            )

    def do_POST(self) -> None:  # noqa: N802
        url = urlsplit(self.path)
        route = _route(url.path)
        if route is None:
            self._drain(self._length() or 0)
            self._send(
                404,
                {
                    "status": "Not found",
                    "message": "POST alerts to /v2/enqueue, /alertmanager or /v2/alerts",
                    "errors": [],
                },
            )
            return
        length = self._length()
        if length is None:
            self._refuse(
                route, 400, ["a Content-Length header is required"], unrecognized=True, close=True
            )
            return
        if length > MAX_BODY:
            drained = self._drain(length)
            self._refuse(route, 400, [f"the body is over {MAX_BODY // 1024} KB"], close=not drained)
            return
        raw = self.rfile.read(length)
        try:
            body = (
                json.loads(raw) if raw.strip() else ({} if route.fmt == "opsgenie_action" else None)
            )
        except (ValueError, UnicodeDecodeError):
            self._refuse(route, 400, ["JSON parse error"], unrecognized=True)
            return
        received_at = self.server.clock.now()
        try:
            alerts = self._alerts(route, body, parse_qs(url.query), received_at)
        except AlertFormatError as exc:
            status = 422 if route.provider == "opsgenie" else 400
            self._refuse(route, status, exc.errors)
            return
        try:
            result: IntakeResult = self.server.write(alerts, received_at)
        except Exception as exc:  # not durable: the sender must retry, as for any 5xx
            self.server.note_error(exc)
            if route.provider == "opsgenie":
                self._send(500, _og_body("Internal server error: the alert was not stored"))
            else:
                self._send(
                    500,
                    {"status": "error", "message": "The event was not stored; retry", "errors": []},
                )
            return
        keys = result.dedup_keys
        if route.provider == "opsgenie":
            self._send(
                202, _og_body("Request will be processed", result="Request will be processed")
            )
        elif route.fmt == "change_v2":
            self._send(202, {"status": "success", "message": "Change event processed"})
        else:
            doc: dict[str, Any] = {"status": "success", "message": "Event processed"}
            if keys:
                doc["dedup_key"] = keys[0]
            if route.fmt == "alertmanager":
                doc["dedup_keys"] = keys
            self._send(202, doc)

    def _alerts(
        self, route: _Route, body: Any, query: dict[str, list[str]], received_at: Any
    ) -> list[Alert]:
        if route.fmt == "opsgenie_action":
            kind = (query.get("identifierType") or ["id"])[0]
            if kind != "alias":
                raise AlertFormatError(
                    "opsgenie",
                    ["'identifierType' must be alias (the console knows alerts by alias)"],
                )
            if not isinstance(body, dict):
                raise AlertFormatError("opsgenie", ["the body must be a JSON object"])
            return [
                Alert(
                    format="opsgenie",
                    action=route.action or "resolve",
                    dedup_key=route.identifier,
                    client=clean_text(body.get("user"), 64) or "opsgenie",
                )
            ]
        alerts = parse_body(body, received_at, route.fmt)
        key = (query.get("routing_key") or [None])[0]
        if route.fmt in ("alertmanager", "opsgenie") and key:
            # these formats carry no routing key; the URL may give one (like an integration URL)
            alerts = [replace(a, routing_key=key) for a in alerts]
        return alerts

    def _length(self) -> int | None:
        value = self.headers.get("Content-Length")
        if value is None or not value.strip().isdigit():
            return None
        return int(value)

    def _drain(self, length: int) -> bool:
        """Read and discard a refused body so the sender can read the answer."""
        if length > MAX_DRAIN:
            return False
        left = length
        while left > 0:
            chunk = self.rfile.read(min(65536, left))
            if not chunk:
                return False
            left -= len(chunk)
        return True


class AlertReceiver(ThreadingHTTPServer):
    """The receiver bound to 127.0.0.1:port (0 picks a free port; see `.port`)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, sink: Sink, settings: Any, clock: Any, port: int = 0, host: str = HOST
    ) -> None:
        if host not in ("127.0.0.1", "::1", "localhost"):
            raise ValueError("the receiver listens on loopback only")
        self.settings = settings
        self.clock = clock
        self.config: IntakeConfig = intake_config(settings)  # rule errors surface now
        self.committer = GroupCommitter(sink)
        self.errors: list[str] = []
        self._thread: threading.Thread | None = None
        super().__init__((host, port), _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def note_error(self, exc: BaseException) -> None:
        """Keep the last few write failures (their type only: messages may hold paths)."""
        self.errors.append(type(exc).__name__)
        del self.errors[:-100]

    def write(self, alerts: list[Alert], received_at: Any) -> IntakeResult:
        """Queue intake of these alerts and wait until the result is durable."""
        fut = self.committer.submit(
            lambda state: intake_alerts(
                state, self.settings, alerts, received_at, config=self.config
            )
        )
        return fut.result()

    def start(self) -> AlertReceiver:
        """Serve in a background thread (the TUI); `serve_forever()` serves in this one."""
        self._thread = threading.Thread(
            target=self.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="alert-receiver",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        self.shutdown() if self._thread else None
        self.server_close()
        self.committer.close()


def start_receiver(sink: Sink, settings: Any, clock: Any, port: int = 0) -> AlertReceiver:
    """Start a receiver in the background (for the TUI's `--listen PORT`)."""
    return AlertReceiver(sink, settings, clock, port).start()
