"""The base every provider fake is built on.

A fake is a plain Python object: `dispatch(FakeRequest)` returns what the provider would
answer, after consulting its queue of injected `Fault`s. The same object answers
in-process through `FakeTransport` (an httpx transport, for drills) or on a real socket
through `fakes.server.serve` (for tests and benchmarks); the faults behave the same way
in both, as far as a client can tell.

Writing a fake:

    class FakeThing(FakeProvider):
        name = "thing"
        base_path = "/v1"                        # stripped before routing

        @route("GET", r"/widgets/(?P<id>[^/]+)")
        def get_widget(self, req, id):
            return FakeResponse.json(200, {"widget": self.widgets[id]})

Handlers run under the fake's lock, one at a time, so their state needs no more locking.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal
from urllib.parse import parse_qs

import httpx

from console.domain.clock import Clock

FaultKind = Literal["status", "slow", "drop"]


@dataclass
class FakeRequest:
    """One request as the fake sees it; `path` is relative to the fake's base path."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes = b""

    @property
    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeated parameter (`statuses[]=a&statuses[]=b` or `statuses=a`)."""
        return self.query.get(name, []) + self.query.get(f"{name}[]", [])


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, doc: Any, headers: dict[str, str] | None = None) -> FakeResponse:
        h = {"content-type": "application/json"}
        h.update(headers or {})
        return cls(status, json.dumps(doc).encode(), h)

    @property
    def doc(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """One injected misbehaviour, used up by the first `times` requests it matches.

    - kind "status": answer `status` with `headers` and `body` instead of acting
      (429 with or without Retry-After, Statuspage's 420, 500/502/503...).
    - kind "slow": answer only after `delay` seconds, past the client's timeout; with
      `apply=True` the change is made first (the client cannot know it was).
    - kind "drop": close the connection without an answer; with `apply=True` after
      making the change (the ambiguous case), else before.

    `match` narrows it to some requests (default: any); `times` is how many it hits.
    """

    kind: FaultKind = "status"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 5.0
    apply: bool = False
    times: int = 1
    match: Callable[[FakeRequest], bool] | None = None

    def matches(self, req: FakeRequest) -> bool:
        return self.match is None or bool(self.match(req))

    def response(self) -> FakeResponse:
        if self.body is None:
            return FakeResponse.json(
                self.status, {"error": {"message": "injected fault", "code": 9999}}, self.headers
            )
        return FakeResponse.json(self.status, self.body, self.headers)

    # common faults, by name
    @classmethod
    def rate_limited(cls, retry_after: float | None = None, **kw: Any) -> Fault:
        headers = {"Retry-After": f"{retry_after:g}"} if retry_after is not None else {}
        return cls("status", status=429, headers=headers, **kw)

    @classmethod
    def server_error(cls, status: int = 503, **kw: Any) -> Fault:
        return cls("status", status=status, **kw)


def writes(req: FakeRequest) -> bool:
    """A `Fault.match` for requests that change something."""
    return req.method not in ("GET", "HEAD", "OPTIONS")


@dataclass
class Outcome:
    """What `dispatch` decided: an answer to send, and how to (mis)deliver it."""

    response: FakeResponse | None
    delivery: Literal["answer", "slow", "drop"] = "answer"
    delay: float = 0.0


def route(method: str, pattern: str) -> Callable:
    """Mark a handler for `method` and a path regex (matched in full)."""

    def mark(fn: Callable) -> Callable:
        fn._fake_route = (method.upper(), re.compile(pattern + r"\Z"))  # type: ignore[attr-defined]
        return fn

    return mark


class FakeProvider:
    """State, routes, a request log and a fault queue. Subclass per provider."""

    name: ClassVar[str] = "fake"
    base_path: ClassVar[str] = ""
    _routes: ClassVar[list[tuple[str, re.Pattern[str], str]]] = []

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes = []
        for klass in reversed(cls.__mro__):
            for attr, fn in vars(klass).items():
                spec = getattr(fn, "_fake_route", None)
                if spec:
                    routes.append((spec[0], spec[1], attr))
        cls._routes = routes

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.requests: list[FakeRequest] = []
        self.answers: list[tuple[FakeRequest, FakeResponse]] = []
        self.faults: list[Fault] = []

    # -- fault injection -------------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        """Queue faults (copies: the fake counts their uses down, the caller's stay intact)."""
        with self.lock:
            self.faults.extend(dataclasses.replace(f) for f in faults)

    def _take_fault(self, req: FakeRequest) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.matches(req):
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    # -- handling --------------------------------------------------------------------

    def authorize(self, req: FakeRequest) -> FakeResponse | None:
        """An error answer when the request's credentials are wrong; None when fine."""
        return None

    def dispatch(self, req: FakeRequest) -> Outcome:
        """Log the request, apply any fault, and answer as the provider would."""
        with self.lock:
            self.requests.append(req)
            fault = self._take_fault(req)
            if fault is not None and fault.kind == "status":
                resp = fault.response()
                self.answers.append((req, resp))
                return Outcome(resp)
            if fault is not None and not fault.apply:
                return Outcome(None, fault.kind, fault.delay)
            resp = self.authorize(req) or self.handle(req)
            self.answers.append((req, resp))
            if fault is not None:
                return Outcome(resp, fault.kind, fault.delay)
            return Outcome(resp)

    def handle(self, req: FakeRequest) -> FakeResponse:
        path = req.path
        if self.base_path and path.startswith(self.base_path):
            path = path[len(self.base_path) :] or "/"
        allowed = False
        for method, pattern, attr in self._routes:
            m = pattern.match(path)
            if m is None:
                continue
            allowed = True
            if method == req.method:
                return getattr(self, attr)(req, **m.groupdict())
        if allowed:
            return self.error(405, "Method Not Allowed")
        return self.error(404, "Not Found")

    def error(self, status: int, message: str, code: int | None = None) -> FakeResponse:
        """The provider's error body; subclasses answer in their provider's shape."""
        return FakeResponse.json(status, {"error": {"message": message, "code": code}})

    # -- views for tests ---------------------------------------------------------------

    def writes(self) -> list[FakeRequest]:
        with self.lock:
            return [r for r in self.requests if writes(r)]


def request_from_httpx(request: httpx.Request) -> FakeRequest:
    url = request.url
    return FakeRequest(
        method=request.method.upper(),
        path=url.path,
        query=parse_qs(url.query.decode("ascii"), keep_blank_values=True),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.read(),
    )


class FakeTransport(httpx.BaseTransport):
    """An httpx transport answered in-process by a fake (drills, quick tests).

    Faults look to the client as they would on a socket: "slow" raises ReadTimeout
    (after the clock moves past the wait, as a real wait would), "drop" raises
    RemoteProtocolError.
    """

    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        outcome = self.fake.dispatch(request_from_httpx(request))
        if outcome.delivery == "slow":
            raise httpx.ReadTimeout("no answer in time (injected)", request=request)
        if outcome.delivery == "drop" or outcome.response is None:
            raise httpx.RemoteProtocolError(
                "server disconnected without an answer (injected)", request=request
            )
        resp = outcome.response
        return httpx.Response(resp.status, headers=resp.headers, content=resp.body, request=request)
