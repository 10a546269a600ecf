"""Where each provider lives, and the rules a base URL must pass.

- https only, except hosts on loopback (127.0.0.0/8, ::1, localhost), where the fakes run;
- certificate checks always on (the HTTP layer never turns `verify` off);
- no redirects across hosts (the HTTP layer follows same-origin ones only).

Base URLs come from, in order: the environment (`PAGERDUTY_API_URL`,
`PAGERDUTY_EVENTS_URL`, `STATUSPAGE_API_URL`, `OPSGENIE_API_URL`), the config's
`[providers.NAME]` table (`api_url`, `events_url`), then the providers' real addresses.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any

import httpx


class EndpointError(Exception):
    """A base URL that breaks the rules; the message names where it came from."""


# (config section, config key, environment variable, real default)
ENDPOINTS: dict[str, tuple[str, str, str, str]] = {
    "pagerduty": ("pagerduty", "api_url", "PAGERDUTY_API_URL", "https://api.pagerduty.com"),
    "pagerduty_events": (
        "pagerduty",
        "events_url",
        "PAGERDUTY_EVENTS_URL",
        "https://events.pagerduty.com",
    ),
    "statuspage": ("statuspage", "api_url", "STATUSPAGE_API_URL", "https://api.statuspage.io/v1"),
    "opsgenie": ("opsgenie", "api_url", "OPSGENIE_API_URL", "https://api.opsgenie.com"),
}


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, where: str) -> str:
    """Return `url` without a trailing slash if it passes the rules, else raise EndpointError.

    `where` names the source for the message ("env PAGERDUTY_API_URL", "config.toml:
    [providers.pagerduty] api_url"). The message never repeats a URL's user-info or query,
    which could carry a secret (a chat webhook URL is itself one).
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        raise EndpointError(f"{where}: not a URL") from None
    if parsed.scheme not in ("https", "http") or not parsed.host:
        raise EndpointError(f"{where}: must be an https:// URL")
    if parsed.scheme == "http" and not is_loopback_host(parsed.host):
        raise EndpointError(
            f"{where}: plain http is allowed only on loopback; use https://{parsed.host}"
        )
    if parsed.userinfo:
        raise EndpointError(f"{where}: credentials do not belong in a URL")
    return url.rstrip("/")


def base_url(
    kind: str,
    provider_config: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """The checked base URL for `kind` (a key of ENDPOINTS)."""
    env = os.environ if env is None else env
    section_name, key, var, default = ENDPOINTS[kind]
    section = (provider_config or {}).get(section_name) or {}
    if env.get(var):
        return check_url(env[var], f"env {var}")
    if isinstance(section, dict) and section.get(key):
        return check_url(str(section[key]), f"[providers.{section_name}] {key}")
    return default


def reaches_network(url: str) -> bool:
    """True when `url` could leave this machine: not loopback, and not a `.invalid` name
    (RFC 2606 reserves it so that it can never resolve; in-process fakes use it)."""
    try:
        host = httpx.URL(url).host.lower()
    except httpx.InvalidURL:
        return True
    return not (is_loopback_host(host) or host == "invalid" or host.endswith(".invalid"))


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)
