"""Fakes of each provider: plain request handlers, usable in-process or served on loopback.

See console/providers/README.md. A fake is a `FakeProvider` subclass; `FakeTransport(fake)`
plugs it into an httpx client in-process (drills), `serve(fake)` runs it on 127.0.0.1 for
tests and benchmarks.
"""

from console.providers.fakes.base import (
    FakeProvider,
    FakeRequest,
    FakeResponse,
    FakeTransport,
    Fault,
    route,
)
from console.providers.fakes.server import ServedFake, serve

__all__ = [
    "Fault",
    "FakeProvider",
    "FakeRequest",
    "FakeResponse",
    "FakeTransport",
    "ServedFake",
    "route",
    "serve",
]
