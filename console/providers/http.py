"""One reused httpx client per provider endpoint, and the rules every call obeys.

`ProviderHttp.request()` makes exactly one attempt (after a same-origin redirect, at most
a few), and either returns a 2xx answer or raises `CallFailed` carrying the `Decision`
from the table in `decisions.py`. It never retries by itself: the sync engine owns
retries, backoff and waiting, so it can keep other providers moving meanwhile.

Below the adapters, here, is where read-only is enforced: a write (any method other than
GET/HEAD/OPTIONS) on a read-only client raises `ReadOnlyRefused` before anything is sent.

Secrets: the Authorization header is added per request by `SecretAuth`, from a `Secret`;
failure details are built from status codes and the provider's error fields, never from
headers or URLs, and any secret value a provider echoes back is blanked out.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Iterable, Mapping
from typing import Any

import httpx

from console.providers.credentials import Secret, scrub_secrets
from console.providers.decisions import Decision, decide
from console.providers.endpoints import check_url, reaches_network, same_origin
from console.providers.ratelimit import RateLimiter, Unlimited

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_REDIRECTS = 3
DETAIL_LIMIT = 200
DEFAULT_TIMEOUT = 10.0
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class ReadOnlyRefused(Exception):
    """A write was attempted through a read-only client; nothing was sent."""


class CallFailed(Exception):
    """One attempt did not succeed. `decision` says what to do; `ambiguous` means the
    change may have been applied anyway (a write timed out or its connection dropped),
    so the caller must look before it writes again."""

    def __init__(
        self,
        provider: str,
        decision: Decision,
        detail: str = "",
        *,
        ambiguous: bool = False,
        offline: bool = False,
        error_code: int | str | None = None,
        body: Any = None,
    ) -> None:
        self.provider = provider
        self.decision = decision
        self.detail = detail
        self.ambiguous = ambiguous
        self.offline = offline
        self.error_code = error_code
        self.body = body
        super().__init__(self.summary)

    @property
    def status(self) -> int | None:
        return self.decision.status

    @property
    def summary(self) -> str:
        text = f"{self.provider}: {self.decision.reason}"
        return f"{text}: {self.detail}" if self.detail else text


class SecretAuth(httpx.Auth):
    """Sets a header from a secret as each request is sent: `template` has one `{}` for it,
    e.g. "Token token={}" (PagerDuty), "OAuth {}" (Statuspage), "GenieKey {}" (Opsgenie)."""

    def __init__(self, secret: Secret, template: str, header: str = "Authorization") -> None:
        self._secret = secret
        self._template = template
        self._header = header

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._template.format(self._secret.reveal())
        yield request

    def __repr__(self) -> str:
        return f"SecretAuth({self._template!r}, {self._secret!r})"


def clean_text(text: str, limit: int = DETAIL_LIMIT) -> str:
    """Untrusted text made safe to show: no control characters or escapes, no secret,
    bounded length."""
    text = scrub_secrets(_CONTROL.sub(" ", str(text)).strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_fields(body: Any) -> tuple[int | str | None, str]:
    """(error code, message) from the error bodies the providers send."""
    if not isinstance(body, dict):
        return None, ""
    err = body.get("error")
    if isinstance(err, dict):  # PagerDuty REST: {"error": {"code", "message", "errors": [...]}}
        errors = err.get("errors")
        extra = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
        message = str(err.get("message", ""))
        return err.get("code"), f"{message} ({extra})" if extra else message
    if isinstance(err, str):  # Statuspage: {"error": "..."} / {"error": [..]}
        return None, err
    if isinstance(err, list):
        return None, "; ".join(str(e) for e in err)
    if "message" in body:  # Opsgenie, PagerDuty Events: {"message", "errors"/"status"}
        errors = body.get("errors")
        extra = "; ".join(str(e) for e in errors) if isinstance(errors, list) else ""
        message = str(body["message"])
        return body.get("code"), f"{message} ({extra})" if extra else message
    return None, ""


class ProviderHttp:
    """A provider endpoint: one reused client, its rate limiter, its read-only switch."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        limiter: RateLimiter | Unlimited | None = None,
        read_only: bool = False,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        secrets: Iterable[Secret] = (),
    ) -> None:
        self.provider = provider
        self.base_url = check_url(base_url, f"{provider} base URL")
        self.read_only = read_only
        self._limiter = limiter or Unlimited()
        self._secrets = [s for s in secrets if s]
        self._transport = transport
        self._client = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            headers=dict(headers or {}),
            timeout=timeout,
            transport=transport,
            verify=True,  # certificate checks are always on
            follow_redirects=False,  # redirects are checked here (same origin only)
        )

    # -- what the sync engine asks before sending anything ------------------------------

    @property
    def in_process(self) -> bool:
        """True when answers come from an in-process fake, not a socket."""
        from console.providers.fakes.base import FakeTransport

        return isinstance(self._transport, FakeTransport)

    @property
    def reaches_network(self) -> bool:
        """True when a request could leave this machine (a drill must never use such a client)."""
        return not self.in_process and reaches_network(self.base_url)

    def close(self) -> None:
        self._client.close()

    # -- one attempt ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; a 2xx answer, or `CallFailed` / `ReadOnlyRefused`."""
        method = method.upper()
        write = method not in READ_METHODS
        if write and self.read_only:
            raise ReadOnlyRefused(f"{self.provider}: read-only: {method} not sent")
        with self._limiter.slot():
            response = self._send(method, path, json_body, params, headers, write)
        decision = decide(self.provider, response.status_code, response.headers)
        if decision.action == "ok":
            return response
        body = _json_or_none(response)
        code, message = error_fields(body)
        if body is None and response.headers.get("content-type", "").startswith("text/plain"):
            # Slack's webhooks refuse in one plain word ("channel_is_archived", "no_service")
            message = response.text[:100]
        raise CallFailed(
            self.provider,
            decision,
            self.scrub(clean_text(message)),
            error_code=code,
            body=body,
        )

    def _send(self, method, path, json_body, params, headers, write) -> httpx.Response:
        request = self._client.build_request(
            method, path, json=json_body, params=params, headers=headers
        )
        for _ in range(MAX_REDIRECTS + 1):
            response = self._attempt(request, write)
            if not response.is_redirect:
                return response
            target = response.next_request
            response.close()
            if target is None or not same_origin(request.url, target.url):
                return response  # the decision table refuses it
            if response.status_code in (301, 302, 303) and method != "GET":
                return response  # would turn a write into a GET: refuse rather than guess
            request = self._client.build_request(
                method, target.url, json=json_body, headers=headers
            )
        return response

    def _attempt(self, request: httpx.Request, write: bool) -> httpx.Response:
        try:
            return self._client.send(request)
        except httpx.ConnectTimeout:
            raise CallFailed(
                self.provider, Decision("retry", "cannot connect (timed out)"), offline=True
            ) from None
        except httpx.ConnectError:
            raise CallFailed(
                self.provider, Decision("retry", "cannot connect"), offline=True
            ) from None
        except httpx.TimeoutException:
            raise CallFailed(
                self.provider, Decision("retry", "timed out waiting for an answer"), ambiguous=write
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            raise CallFailed(
                self.provider, Decision("retry", "connection dropped"), ambiguous=write
            ) from None
        except httpx.TransportError as exc:
            raise CallFailed(
                self.provider,
                Decision("retry", f"transport error ({type(exc).__name__})"),
                ambiguous=write,
            ) from None

    def scrub(self, text: str) -> str:
        """Blank out any credential a provider echoed back (this client's, and any other live one)."""
        for secret in self._secrets:
            value = secret.reveal()
            if value and value in text:
                text = text.replace(value, secret.masked)
        return scrub_secrets(text)

    def __repr__(self) -> str:
        return f"ProviderHttp({self.provider}, read_only={self.read_only})"


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return None
