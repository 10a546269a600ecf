"""The one small interface every provider adapter offers the sync engine.

An adapter turns provider-neutral *intents* (the outbox contract, console/providers/README.md)
into its provider's requests, and its provider's news into `RemoteNews`. It decides
nothing about retrying: a failed call raises `CallFailed` (console/providers/http.py) and
the sync engine applies the decision table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from pendulum import DateTime

Intent = Mapping[str, Any]


@dataclass(frozen=True)
class DeliveryContext:
    """What the engine knows that an adapter needs to deliver one intent.

    - `remote_id`: this provider's id for the intent's incident, learnt earlier (None when
      the incident has not reached this provider yet).
    - `incident`: the local incident as `Incident.to_json()` gives it (None for store-wide
      intents), e.g. to know whether it went public; its `provider_ids` holds every link.
    - `remote_ids`: local incident id -> this provider's id, for every linked incident
      (a merge names other incidents than its own).
    - `retry_after_ambiguity`: an earlier attempt of this very intent may have been applied
      (timeout or dropped connection on a write), so look before posting again.
    - `attempt`: 1 for the first try.
    """

    remote_id: str | None = None
    incident: Mapping[str, Any] | None = None
    remote_ids: Mapping[str, str] = field(default_factory=dict)
    retry_after_ambiguity: bool = False
    attempt: int = 1


@dataclass(frozen=True)
class Delivery:
    """An intent's effect on one provider, once it is settled.

    - state "sent": it took effect (or was found to have taken effect already).
    - state "superseded": the provider's state moved on (someone resolved it in the web
      UI); `remote_facts` says what the provider has, for the timeline. Never retried.
    - `linked`: a provider id learnt by this delivery (a created incident): the engine
      records it as a "provider_linked" timeline event for this provider.
    - `extra_links`: ids for other provider names learnt at the same time, e.g.
      {"pagerduty_events": dedup_key} when an incident reached PagerDuty through Events v2.
    """

    state: Literal["sent", "superseded"]
    remote_id: str | None = None
    detail: str = ""
    linked: str | None = None
    remote_facts: Mapping[str, Any] = field(default_factory=dict)
    extra_links: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RemoteNews:
    """One thing a provider says happened, to become a timeline event (origin "provider").

    `key` is stable for the same news (the provider's log entry id), so polling twice
    records it once. `remote_incident` is the provider's incident id; the engine maps it
    to a local incident through provider_linked events (or opens one for a new incident
    when `kind` is "opened").
    """

    provider: str
    key: str
    kind: str  # opened | acknowledged | resolved | reopened | note | reassigned | escalated | priority_changed | component_status
    at: DateTime
    author: str
    text: str
    remote_incident: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Provider(Protocol):
    """A provider adapter as the sync engine sees it."""

    name: str  # "pagerduty" | "statuspage" | "opsgenie" | "chat"

    def concerns(self, intent: Intent, incident: Mapping[str, Any] | None) -> bool:
        """Whether this provider acts on `intent` at all (no delivery is recorded if not)."""
        ...

    def deliver(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        """Make `intent` take effect once; raise CallFailed / ReadOnlyRefused on failure."""
        ...

    def poll(self, since: DateTime | None) -> list[RemoteNews]:
        """News since `since` (None: a first, bounded look back)."""
        ...

    def close(self) -> None:
        """Release the HTTP client."""
        ...
