"""Provider credentials: from the environment, or `credentials.toml` beside the config.

A secret is held in a `Secret`, whose str() and repr() show at most its last four
characters, so an f-string, a log line or a traceback cannot leak it by accident; only
`reveal()` gives the value, and only the HTTP layer calls it.

`credentials.toml` must be readable by its owner alone (mode 0600 or stricter, owned by
the user running the console); a looser file is refused with a message naming it, and
nothing is read from it. Its shape:

    [pagerduty]
    api_token = "..."        # PAGERDUTY_API_TOKEN
    from = "ada@example.com" # PAGERDUTY_FROM (the From header PagerDuty requires on writes)
    routing_key = "..."      # PAGERDUTY_ROUTING_KEY (Events v2)
    [statuspage]
    api_key = "..."          # STATUSPAGE_API_KEY
    page_id = "..."          # STATUSPAGE_PAGE_ID
    [opsgenie]
    api_key = "..."          # OPSGENIE_API_KEY
    [chat]
    webhook_url = "..."      # SLACK_WEBHOOK_URL

The environment wins over the file, field by field. The config may rename the
variables (`token_env`, `from_env`, `routing_key_env`, `webhook_env`; docs/config.md).
"""

from __future__ import annotations

import os
import stat
import tomllib
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class CredentialsError(Exception):
    """Credentials cannot be used; the message names the file or variable, never a value."""


class Secret:
    """A credential value that never prints itself.

    Every live Secret is known to `scrub_secrets`, which blanks any of them out of a text
    (a provider echoing a token in an error body, whichever client received it).
    """

    __slots__ = ("_value", "__weakref__")

    def __init__(self, value: str) -> None:
        self._value = value
        if len(value) >= 6:
            _LIVE.add(self)

    def reveal(self) -> str:
        """The value itself: for the Authorization header and nothing else."""
        return self._value

    @property
    def masked(self) -> str:
        """'…wxyz' for a long value; a short one shows nothing of itself."""
        return f"…{self._value[-4:]}" if len(self._value) >= 12 else "…"

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Secret({self.masked})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self):  # pickling would write the value somewhere: refuse
        raise TypeError("a Secret cannot be pickled")


_LIVE: weakref.WeakSet[Secret] = weakref.WeakSet()


def scrub_secrets(text: str) -> str:
    """`text` with every live secret's value replaced by its masked form."""
    for secret in list(_LIVE):
        value = secret.reveal()
        if value in text:
            text = text.replace(value, secret.masked)
    return text


# provider -> field -> (default environment variable, config key naming another variable, secret?)
FIELDS: dict[str, dict[str, tuple[str, str, bool]]] = {
    "pagerduty": {
        "api_token": ("PAGERDUTY_API_TOKEN", "token_env", True),
        "from": ("PAGERDUTY_FROM", "from_env", False),
        "routing_key": ("PAGERDUTY_ROUTING_KEY", "routing_key_env", True),
    },
    "statuspage": {
        "api_key": ("STATUSPAGE_API_KEY", "token_env", True),
        # not a secret: the config's own `page_id` is used when neither env nor file has one
        "page_id": ("STATUSPAGE_PAGE_ID", "page_id_env", False),
    },
    "opsgenie": {
        "api_key": ("OPSGENIE_API_KEY", "token_env", True),
    },
    "chat": {
        "webhook_url": ("SLACK_WEBHOOK_URL", "webhook_env", True),
    },
}


@dataclass
class Credentials:
    """Every provider's credentials; a missing field is None (that part of the provider is off)."""

    values: dict[str, dict[str, Secret | str | None]] = field(default_factory=dict)
    sources: dict[str, str] = field(
        default_factory=dict
    )  # "pagerduty.api_token" -> "env PAGERDUTY_API_TOKEN"

    def get(self, provider: str, name: str) -> Secret | str | None:
        return self.values.get(provider, {}).get(name)

    def secret(self, provider: str, name: str) -> Secret | None:
        value = self.get(provider, name)
        return value if isinstance(value, Secret) else None

    def describe(self) -> list[str]:
        """One line per known field, masked: what `sync` prints about credentials."""
        lines = []
        for provider, fields in FIELDS.items():
            for name in fields:
                value = self.get(provider, name)
                shown = (
                    "not set"
                    if value is None
                    else (value.masked if isinstance(value, Secret) else value)
                )
                src = self.sources.get(f"{provider}.{name}", "")
                lines.append(f"{provider}.{name}: {shown}" + (f" ({src})" if src else ""))
        return lines


def credentials_path(config_path: Path | None) -> Path | None:
    """`credentials.toml` beside the config file (or inside a Terraform config folder)."""
    if config_path is None:
        return None
    folder = config_path if config_path.is_dir() else config_path.parent
    return folder / "credentials.toml"


def check_private(path: Path) -> None:
    """Refuse a file others can read or write, or that another user owns."""
    try:
        st = path.stat()
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise CredentialsError(f"{path}: not a regular file")
    loose = st.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    if loose:
        raise CredentialsError(
            f"{path}: readable or writable by others (mode {stat.S_IMODE(st.st_mode):04o}); "
            f"run: chmod 600 {path}"
        )
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        raise CredentialsError(f"{path}: owned by another user; credentials must be your own file")


def read_credentials_file(path: Path) -> dict[str, Any]:
    check_private(path)
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        # the decoder's message names a line and column, never the value
        raise CredentialsError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise CredentialsError(f"{path}: cannot read: {exc.strerror}") from None
    for provider, table in doc.items():
        if provider not in FIELDS:
            raise CredentialsError(
                f"{path}: unknown section [{provider}] (allowed: {', '.join(FIELDS)})"
            )
        if not isinstance(table, dict):
            raise CredentialsError(f"{path}: [{provider}] must be a table")
        for name, value in table.items():
            if name not in FIELDS[provider]:
                raise CredentialsError(
                    f"{path}: [{provider}] unknown key '{name}' (allowed: {', '.join(FIELDS[provider])})"
                )
            if not isinstance(value, str):
                raise CredentialsError(f"{path}: [{provider}] {name} must be a string")
    return doc


def load_credentials(
    provider_config: Mapping[str, Any] | None = None,
    config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Credentials:
    """Credentials from `env` (default os.environ) over `credentials.toml` beside the config.

    `provider_config` is the config's `[providers]` table (it may rename the variables).
    """
    env = os.environ if env is None else env
    provider_config = provider_config or {}
    file_doc: dict[str, Any] = {}
    file_label = ""
    path = credentials_path(config_path)
    if path is not None and path.exists():
        file_doc = read_credentials_file(path)
        file_label = str(path)
    creds = Credentials()
    for provider, fields in FIELDS.items():
        section = provider_config.get(provider) or {}
        values: dict[str, Secret | str | None] = {}
        for name, (default_var, config_key, secret) in fields.items():
            var = section.get(config_key, default_var) if isinstance(section, dict) else default_var
            raw = env.get(var) or None
            source = f"env {var}"
            if raw is None:
                raw = file_doc.get(provider, {}).get(name) or None
                source = file_label
            if raw is None and not secret and isinstance(section, dict) and section.get(name):
                raw, source = str(section[name]), "config"
            if raw is not None:
                raw = raw.strip()
                values[name] = Secret(raw) if secret else raw
                creds.sources[f"{provider}.{name}"] = source
            else:
                values[name] = None
        creds.values[provider] = values
    return creds


def providers_with_credentials(
    provider_config: Mapping[str, Any] | None = None,
    config_path: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> list[str]:
    """The providers that have at least one secret set (the others are simply off).

    Cheap (no HTTP client is built): the bare console asks it to choose between the live
    store and the default drill. A credentials file it may not read counts as none here;
    `sync` and the console's status say why.
    """
    try:
        creds = load_credentials(provider_config, config_path, env)
    except CredentialsError:
        return []
    return [
        provider
        for provider, fields in FIELDS.items()
        if any(creds.secret(provider, name) is not None for name in fields)
    ]
