"""The Atlassian Statuspage adapter: components, incidents, updates, maintenances.

The requests themselves are decided in `statuspage_calls` (pure); this module sends them
through one `ProviderHttp` (rate limit 1 request a second per token, read-only enforced
there) and turns the answers into `Delivery` and `RemoteNews` (protocol.py).

- Only customer-facing component names and ids are ever sent (`PublicComponents`); ids the
  config does not give are learnt by name from the page's own component list, once.
- A create after an ambiguous timeout looks for the intent's marker in the page's
  unresolved incidents (or upcoming maintenances) before posting again.
- An update reads the incident back first: if someone resolved it by hand, the update is
  `superseded` (never reopened behind their back), and if an earlier, ambiguous attempt
  already posted the same update it is not posted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pendulum import DateTime

from console.domain.clock import parse_instant
from console.providers import statuspage_calls as calls
from console.providers.credentials import Credentials
from console.providers.decisions import Decision
from console.providers.endpoints import base_url
from console.providers.http import CallFailed, ProviderHttp, SecretAuth, clean_text
from console.providers.http_call import HttpCall, Skip
from console.providers.outbound_text import plain
from console.providers.protocol import Delivery, DeliveryContext, Intent, RemoteNews
from console.providers.public_components import PublicComponents, PublicNameError
from console.providers.ratelimit import Limiters

MAX_PAGES = 50  # 5,000 components or incidents: far past any real page, and a bound on a loop


class StatuspageAdapter:
    """One Statuspage page behind the `Provider` protocol."""

    name = "statuspage"

    def __init__(self, http: ProviderHttp, page_id: str, names: PublicComponents) -> None:
        self.http = http
        self.page_id = page_id
        self.names = names
        self._learnt = False
        self._own_updates: set[str] = set()  # incident-update ids we posted (not news)
        self._own_components: set[str] = set()  # "id@updated_at" we set (not news)
        self._seen_components: dict[str, str] = {}  # id -> status at the last poll

    # -- the protocol ----------------------------------------------------------------------

    def concerns(self, intent: Intent, incident: Mapping[str, Any] | None) -> bool:
        if intent.get("op") == "incident.resolve":
            inc = incident or {}
            public = any(c in self.names.names for c in inc.get("components") or [])
            return bool((inc.get("provider_ids") or {}).get("statuspage")) or public
        return calls.concerns(intent)

    def deliver(self, intent: Intent, ctx: DeliveryContext) -> Delivery:
        planned = self._plan(intent, ctx)
        if isinstance(planned, Skip):
            return Delivery("sent", detail=planned.reason)
        first = planned[0]
        creating = first.method == "POST" and first.path.endswith("/incidents")
        if creating and ctx.retry_after_ambiguity:
            found = self._find_created(
                str(intent.get("id")), scheduled=intent.get("op") == "maintenance.create"
            )
            if found:
                return self._created(
                    intent, found, "found after an ambiguous attempt: not posted again"
                )
        if first.method == "PATCH" and "/incidents/" in first.path:
            verdict = self._check_before_update(first, ctx)
            if verdict is not None:
                return verdict
        answer: Any = None
        for call in planned:
            answer = self._send(call)
        if creating:
            return self._created(intent, answer, "status-page incident created")
        if isinstance(answer, Mapping) and "incident_updates" in answer:
            self._remember_update(answer)
            return Delivery(
                "sent",
                remote_id=str(answer.get("id")),
                detail=f"status page: {answer.get('status')}",
            )
        if isinstance(answer, Mapping) and answer.get("updated_at"):
            self._own_components.add(f"{answer.get('id')}@{answer.get('updated_at')}")
        return Delivery("sent", detail=first.purpose)

    def poll(self, since: DateTime | None) -> list[RemoteNews]:
        """Components changed by hand, and status-page incident updates we did not post.

        A component is news when its status differs from this adapter's last look, or, on
        a first look, when it changed after `since` (a fresh process knows no last look).
        An incident update is news when this adapter did not post it and it is newer than
        `since`; with no `since`, only "resolved" updates are (the engine ignores those for
        incidents already resolved here), so a new process does not echo our own posts.
        `data` carries the status, so the engine can drop news that matches the store.
        """
        news: list[RemoteNews] = []
        for comp in self._all(calls.list_components):
            cid, status = str(comp.get("id")), str(comp.get("status", ""))
            name = comp.get("name")
            previous = self._seen_components.get(cid)
            self._seen_components[cid] = status
            stamp = f"{cid}@{comp.get('updated_at')}"
            if name not in self.names.names or stamp in self._own_components:
                continue
            changed_since = since is not None and _instant(comp.get("updated_at")) > since
            if previous == status or (previous is None and not changed_since):
                continue  # without `since`, the first look only sets the baseline
            news.append(
                RemoteNews(
                    provider=self.name,
                    key=f"component:{stamp}",
                    kind="component_status",
                    at=_instant(comp.get("updated_at")),
                    author="Statuspage",
                    text=f"{name}: {status.replace('_', ' ')} (changed on the status page)",
                    data={"component": name, "status": status},
                )
            )
        for inc in self._all(calls.list_unresolved) + self._recent():
            for update in inc.get("incident_updates") or []:
                uid = str(update.get("id"))
                at = _instant(update.get("created_at"))
                if uid in self._own_updates or (since is not None and at <= since):
                    continue
                status = str(update.get("status", ""))
                if since is None and status != "resolved":
                    # a first look cannot tell our own earlier posts from others': only
                    # the fact that matters most (resolved there) is reported
                    continue
                news.append(
                    RemoteNews(
                        provider=self.name,
                        key=f"update:{uid}",
                        kind="resolved" if status == "resolved" else "note",
                        at=at,
                        author="Statuspage",
                        text=self.http.scrub(
                            plain(
                                f"status page {status}: {update.get('body', '')}",
                                500,
                                one_line=True,
                            )
                        ),
                        remote_incident=str(inc.get("id")),
                        data={"status": status},
                    )
                )
        return _unique(news)

    def close(self) -> None:
        self.http.close()

    # -- reads for panes and `sync` --------------------------------------------------------

    def components(self) -> list[dict[str, Any]]:
        """The page's customer-facing components as they are now (name, id, status)."""
        out = []
        for comp in self._all(calls.list_components):
            if comp.get("name") in self.names.names and not comp.get("group"):
                out.append(
                    {
                        "name": comp["name"],
                        "id": str(comp.get("id")),
                        "status": str(comp.get("status", "")),
                        "updated_at": comp.get("updated_at"),
                    }
                )
        return out

    def unresolved(self) -> list[dict[str, Any]]:
        """The page's open incidents: id, name, status, impact, and our incident if we made it."""
        out = []
        for inc in self._all(calls.list_unresolved):
            marker = (inc.get("metadata") or {}).get(calls.METADATA_KEY) or {}
            out.append(
                {
                    "id": str(inc.get("id")),
                    "name": plain(inc.get("name"), calls.NAME_LIMIT, one_line=True),
                    "status": inc.get("status"),
                    "impact": inc.get("impact"),
                    "incident": marker.get("incident") if isinstance(marker, Mapping) else None,
                }
            )
        return out

    # -- steps -----------------------------------------------------------------------------

    def _plan(self, intent: Intent, ctx: DeliveryContext) -> list[HttpCall] | Skip:
        if not self._learnt and self.names.missing_ids(self.names.names):
            self.names.learn(self._all(calls.list_components))
            self._learnt = True
        try:
            return calls.plan(
                intent,
                page_id=self.page_id,
                names=self.names,
                incident=ctx.incident,
                remote_id=ctx.remote_id,
            )
        except (PublicNameError, ValueError) as exc:
            # a name customers do not know, or a status the page has not: never retried
            raise CallFailed(
                self.name, Decision("final", "refused before sending"), clean_text(str(exc))
            ) from None

    def _send(self, call: HttpCall) -> Any:
        response = self.http.request(
            call.method, call.path, json_body=call.json, params=call.params or None
        )
        return response.json() if response.content else None

    def _all(self, make) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            batch = self._send(make(self.page_id, page)) or []
            items.extend(b for b in batch if isinstance(b, dict))
            if len(batch) < calls.PER_PAGE:
                break
        return items

    def _recent(self) -> list[dict[str, Any]]:
        # recently resolved incidents drop out of "unresolved": the first page of all
        batch = self._send(
            HttpCall("GET", f"/pages/{self.page_id}/incidents", params={"limit": 25, "page": 1})
        )
        return [b for b in batch or [] if isinstance(b, dict) and b.get("status") == "resolved"]

    def _find_created(self, intent_id: str, scheduled: bool) -> Mapping[str, Any] | None:
        listings = (
            (calls.list_upcoming, calls.list_unresolved) if scheduled else (calls.list_unresolved,)
        )
        for make in listings:
            found = calls.find_created(self._all(make), intent_id)
            if found:
                return found
        return None

    def _created(self, intent: Intent, answer: Any, detail: str) -> Delivery:
        remote = str((answer or {}).get("id") or "") or None
        if isinstance(answer, Mapping):
            self._remember_update(answer)
        linked = remote if intent.get("incident") else None
        return Delivery("sent", remote_id=remote, linked=linked, detail=detail)

    def _check_before_update(self, patch: HttpCall, ctx: DeliveryContext) -> Delivery | None:
        current = self._send(calls.get_incident(self.page_id, patch.path.rsplit("/", 1)[-1])) or {}
        wanted = patch.json["incident"]
        latest = (current.get("incident_updates") or [{}])[0]
        if (
            ctx.retry_after_ambiguity
            and latest.get("status") == wanted.get("status")
            and latest.get("body") == wanted.get("body")
        ):
            return Delivery(
                "sent",
                remote_id=str(current.get("id")),
                detail="found after an ambiguous attempt: not posted again",
            )
        if current.get("status") == "resolved":
            facts = {
                "status": "resolved",
                "resolved_at": current.get("resolved_at"),
                "by": "the status page",
            }
            if wanted.get("status") == "resolved":
                return Delivery(
                    "superseded",
                    remote_id=str(current.get("id")),
                    detail="already resolved on the status page",
                    remote_facts=facts,
                )
            return Delivery(
                "superseded",
                remote_id=str(current.get("id")),
                detail=f"not posted: the status-page incident was resolved there (wanted {wanted.get('status')})",
                remote_facts=facts,
            )
        return None

    def _remember_update(self, incident: Mapping[str, Any]) -> None:
        updates = incident.get("incident_updates") or []
        if updates:
            self._own_updates.add(str(updates[0].get("id")))
        for comp in incident.get("components") or []:
            self._own_components.add(f"{comp.get('id')}@{comp.get('updated_at')}")


def _instant(text: Any) -> DateTime:
    try:
        return parse_instant(str(text))
    except (ValueError, TypeError):
        return parse_instant("1970-01-01T00:00:00Z")


def _unique(news: list[RemoteNews]) -> list[RemoteNews]:
    seen: set[str] = set()
    out = []
    for n in sorted(news, key=lambda n: n.at):
        if n.key not in seen:
            seen.add(n.key)
            out.append(n)
    return out


def build_statuspage(
    config: Mapping[str, Any] | None,
    creds: Credentials,
    limiters: Limiters,
    *,
    read_only: bool = False,
    transport: Any = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 10.0,
) -> StatuspageAdapter | None:
    """The adapter from the config dict and credentials; None when Statuspage is off
    (no API key or no page id), which the caller reports as "statuspage: off"."""
    config = config or {}
    providers = config.get("providers") or {}
    key = creds.secret("statuspage", "api_key")
    page_id = creds.get("statuspage", "page_id") or (providers.get("statuspage") or {}).get(
        "page_id"
    )
    if not key or not page_id:
        return None
    http = ProviderHttp(
        "statuspage",
        base_url("statuspage", providers, env),
        auth=SecretAuth(key, "OAuth {}"),
        limiter=limiters.for_credential("statuspage", key.reveal()),
        read_only=read_only,
        timeout=timeout,
        transport=transport,
        secrets=[key],
    )
    return StatuspageAdapter(http, str(page_id), PublicComponents.from_config(config))
