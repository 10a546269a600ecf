"""Immutable snapshots of the store for the panes, built in worker threads.

The UI thread never reads the live `State` (a worker may be folding into it) and never
waits on the store's lock: it renders the latest `Snapshot` it was sent. Building one is
incremental: only incidents touched since the last snapshot are copied again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from pendulum import DateTime

from console.domain.clock import stored_timestamp, timestamp
from console.domain.model import Incident, MaintenanceWindow, check_stored_incident
from console.domain.ordering import order_key
from console.domain.stale import silent_for
from console.domain.text import inert

TITLE_LIMIT = 200  # cells: a title longer than any screen is cut here, once


def clean(text: str, limit: int) -> str:
    """`inert(text, limit)`, with a fast path for the common case: text with nothing
    unprintable (str.isprintable is False for every control, escape and bidi
    character) and within the limit is already inert. 10k rows: ~5x faster."""
    if len(text) <= limit and text.isprintable():
        return text
    return inert(text, limit)


class IncidentRow(NamedTuple):
    """One incident as the Incidents pane lists it (all text already inert).

    A named tuple rather than a frozen dataclass: a snapshot builds one per incident,
    and a tuple is made some three times faster (10k rows at every start)."""

    id: str
    number: int
    severity: int | None
    status: str
    title: str
    service: str
    created_ts: float
    who: str
    urgency: str
    page_status: str | None
    page_updated_ts: float | None
    order: tuple
    search_text: str

    @classmethod
    def of(cls, inc: Incident) -> IncidentRow:
        # made for every incident at start: attributes read once
        page_update = inc.last_page_update_at
        return cls._made(
            inc.id,
            inc.title,
            inc.service,
            inc.roles.get("commander") or inc.assignee,
            inc.status,
            inc.severity,
            timestamp(inc.created_at),
            inc.urgency,
            inc.page_status,
            timestamp(page_update) if page_update else None,
        )

    @classmethod
    def of_stored(cls, row: dict[str, Any]) -> IncidentRow:
        """`of` for an incident still the row its snapshot stored (checked with
        `check_stored_incident`): the same IncidentRow, without building the Incident, its
        containers and its DateTimes (a first screen lists 10,000 incidents). A field the
        row leaves out reads the Incident's default, as `of` would."""
        roles = row.get("roles")
        page_update = row.get("last_page_update_at")
        return cls._made(
            row["id"],
            row["title"],
            row.get("service"),
            (roles.get("commander") if roles else None) or row.get("assignee"),
            row.get("status", Incident.status),
            row.get("severity", Incident.severity),
            stored_timestamp(row["created_at"]),
            row.get("urgency", Incident.urgency),
            row.get("page_status", Incident.page_status),
            stored_timestamp(page_update) if page_update else None,
        )

    @classmethod
    def _made(
        cls,
        inc_id: str,
        title: str,
        service: str | None,
        who: str | None,
        status: str,
        severity: int | None,
        created_ts: float,
        urgency: str,
        page_status: str | None,
        page_updated_ts: float | None,
    ) -> IncidentRow:
        # clean()'s fast path written out, the tuple built positionally (in the fields'
        # order above): 10k rows at every start
        if len(title) > TITLE_LIMIT or not title.isprintable():
            title = inert(title, TITLE_LIMIT)
        service = service or ""
        if len(service) > 60 or not service.isprintable():
            service = inert(service, 60)
        who = who or ""
        if len(who) > 60 or not who.isprintable():
            who = inert(who, 60)
        number = int(inc_id.split("-", 1)[1])  # Incident.number
        return cls(
            inc_id,
            number,
            severity,
            status,
            title,
            service,
            created_ts,
            who,
            urgency,
            page_status,
            page_updated_ts,
            order_key(status, severity, created_ts, number),  # incident_order
            f"{inc_id} {title} {service} {who}".lower(),
        )

    @property
    def is_open(self) -> bool:
        return self.status != "resolved"

    def page_stale(self, now_ts: float, stale_minutes: int) -> bool:
        """A public status-page incident with no update for `stale_minutes`."""
        return self.page_silent_minutes(now_ts, stale_minutes) is not None

    def page_silent_minutes(self, now_ts: float, stale_minutes: int) -> int | None:
        """Minutes the status page has been silent, once that makes it stale (the rule is
        console.domain.stale's, shared with `list` and the status bar)."""
        return silent_for(
            self.is_open, self.page_status, self.page_updated_ts, now_ts, stale_minutes
        )


def rows_of(state) -> dict[str, IncidentRow]:
    """Every incident's IncidentRow, by id. One still the row its snapshot stored (not
    read yet) is listed from that row, checked as building it would check it, without
    building it; a row that fails is built after all, which raises the store's own error
    naming its file."""
    incidents = state.incidents
    if not getattr(incidents, "raw", None):
        return {i.id: IncidentRow.of(i) for i in incidents.values()}
    rows: dict[str, IncidentRow] = {}
    with incidents.lock:  # nobody builds one (which takes it out of the raw) meanwhile
        for key in incidents:
            row = state.stored_incident(key)
            if row is not None:
                try:
                    check_stored_incident(row)
                except ValueError:
                    pass
                else:
                    rows[row["id"]] = IncidentRow.of_stored(row)
                    continue
            inc = incidents[key]
            rows[inc.id] = IncidentRow.of(inc)
    return rows


@dataclass(frozen=True)
class ComponentRow:
    name: str
    status: str
    updated_at: DateTime | None


@dataclass(frozen=True)
class Snapshot:
    """Everything the panes show, as of one store version."""

    version: int
    rows: tuple[IncidentRow, ...] = ()
    by_id: dict[str, IncidentRow] = field(default_factory=dict)
    timelines: dict[str, list[Any]] = field(default_factory=dict)
    components: tuple[ComponentRow, ...] = ()
    windows: tuple[MaintenanceWindow, ...] = ()
    pending_intents: int = 0
    providers: tuple[tuple[str, str, str], ...] = ()  # (name, text, level)
    escalations_soon: dict[str, DateTime] = field(default_factory=dict)
    # per incident, what has not reached a provider yet (console.domain.pending lines)
    pending: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: str = "live"
    read_only: bool = False
    loading: bool = False  # the store is still being opened: nothing to list yet
    # the rows with a public status-page incident, in list order (None: work them out)
    public: tuple[IncidentRow, ...] | None = None
    # escalations_soon left out incidents whose stored timelines were not read yet (a
    # snapshot made on the UI thread reads no disk): a worker makes the whole one
    partial: bool = False

    def public_pages(self) -> tuple[IncidentRow, ...]:
        """Open incidents with a public (unresolved) status-page incident, in list order:
        what the stale-page checks look at every minute, without walking every row."""
        if self.public is not None:
            return self.public
        return public_rows(self.rows)

    def timeline(self, inc_id: str) -> tuple:
        """The incident's events; `tuple(list)` is atomic under the GIL, so this is safe
        while a worker appends to the list. May read the store's cold file (a timeline not
        read yet) and raise its StoreError: worker threads only (see `timeline_in_memory`)."""
        return tuple(self.timelines.get(inc_id, ()))

    def timeline_in_memory(self, inc_id: str) -> tuple | None:
        """The incident's events if they are in memory, else None (its stored timeline is
        not read yet). Never reads the disk and never waits: what the UI thread calls."""
        if timeline_unread(self.timelines, inc_id):
            return None
        return tuple(self.timelines.get(inc_id, ()))

    def unread_timelines(self, ids) -> list[str]:
        """Those of `ids` whose stored timelines are not read yet (in the order given)."""
        is_unread = getattr(self.timelines, "is_unread", None)
        return [i for i in ids if is_unread(i)] if is_unread is not None else []

    def stale_pages(self, now_ts: float, stale_minutes: int) -> list[tuple[str, int]]:
        """(incident, silent minutes) of every open incident whose status page is stale."""
        out = []
        for row in self.public_pages():
            minutes = row.page_silent_minutes(now_ts, stale_minutes)
            if minutes is not None:
                out.append((row.id, minutes))
        return out

    def index_of(self, inc_id: str | None) -> int | None:
        if inc_id is None:
            return None
        for i, row in enumerate(self.rows):
            if row.id == inc_id:
                return i
        return None


def timeline_unread(timelines, inc_id: str) -> bool:
    """Whether reading `timelines[inc_id]` would read the store's cold file (a plain dict's
    never would). Never reads and never waits."""
    is_unread = getattr(timelines, "is_unread", None)
    return is_unread is not None and is_unread(inc_id)


def public_rows(rows) -> tuple[IncidentRow, ...]:
    """The rows of open incidents with an unresolved status-page incident."""
    return tuple(
        r for r in rows if r.page_status not in (None, "resolved") and r.status != "resolved"
    )


def component_rows(state, settings) -> tuple[ComponentRow, ...]:
    """Configured components first (config order), then any others the timeline names."""
    names = list(settings.components)
    names += sorted(n for n in state.components if n not in names)
    out = []
    for name in names:
        comp = state.components.get(name)
        out.append(
            ComponentRow(
                inert(name, 80),
                comp.status if comp else "operational",
                comp.updated_at if comp else None,
            )
        )
    return tuple(out)
