"""Serve a fake on 127.0.0.1 with a threaded HTTP/1.1 server (keep-alive, like the real APIs).

    with serve(fake) as served:
        client = httpx.Client(base_url=served.url)

Faults: "slow" really waits `delay` seconds before answering (tests give the client a
short timeout); "drop" closes the socket without a byte of answer.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from console.providers.fakes.base import FakeProvider, FakeRequest


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stalls)
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return  # quiet: tests read the fake's own request log

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        req = FakeRequest(
            method=self.command.upper(),
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        outcome = self.server.fake.dispatch(req)
        if outcome.delivery == "drop" or outcome.response is None and outcome.delivery != "slow":
            self._drop()
            return
        if outcome.delivery == "slow":
            time.sleep(outcome.delay)
            if outcome.response is None:
                self._drop()
                return
        resp = outcome.response
        try:
            self.send_response(resp.status)
            for name, value in resp.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeProvider) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class ServedFake:
    """A fake listening on 127.0.0.1; `url` is its base URL (with the fake's base path)."""

    def __init__(self, fake: FakeProvider) -> None:
        self.fake = fake
        self._server = _Server(fake)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-{fake.name}",
            daemon=True,
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + self.fake.base_path

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ServedFake:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve(fake: FakeProvider) -> ServedFake:
    """Start serving `fake` on an ephemeral loopback port."""
    return ServedFake(fake)
