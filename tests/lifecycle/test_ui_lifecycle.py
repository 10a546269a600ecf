"""The lifecycle on the screen: the declare form, the stale-status-page warning (row
marker and status bar), pending deliveries on the timeline, the postmortem on resolve.

Snapshots: `pytest tests/lifecycle/test_ui_lifecycle.py --snapshot-update`, then look at
every changed SVG before committing it.
"""

from __future__ import annotations

import pytest

from console.actions import execute_line
from console.domain.clock import FixedClock
from console.domain.intake.alert import parse_body
from console.domain.intake.engine import intake_alerts
from console.domain.settings import settings_from_dict
from console.postmortem_file import default_path
from console.store import Store
from console.ui.app import make_app
from console.ui.status_bar import StatusBar
from console.ui.timeline_pane import TimelinePane

T0 = "2026-11-30T09:00:00Z"
TEAM = {
    "user": {"name": "Ada Lovelace", "email": "ada@example.com", "handle": "ada"},
    "users": {"grace": {"name": "Grace Hopper", "email": "grace@example.com"}},
    "services": {
        "payments": {
            "name": "payments-service-prod-us-east-1",
            "components": ["Payment Processing"],
        },
        "search": {
            "components": ["Search"],
            "integration_keys": ["R0UT1NGKEYlifecycleui0123456789a"],
        },
    },
    "status": {
        "stale_minutes": 30,
        "components": [{"name": "Payment Processing"}, {"name": "Search"}],
    },
    # a status page is configured (no credentials: nothing is sent), so the timeline
    # lists what is waiting for it
    "providers": {"statuspage": {"page_id": "pg0example01"}},
}
SEED = [
    (0, 'declare sev2 "Payments degraded" --service payments'),
    (300, 'declare sev3 "Search slow" --service search'),
    (600, 'update INC-2 identified "Index rebuild running"'),
    (900, 'declare sev4 "Internal dashboard flaky"'),
]


@pytest.fixture
def settings():
    return settings_from_dict(TEAM, source="lifecycle-ui.toml")


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def store(tmp_path, clock, settings):
    s = Store.open(tmp_path / "store")
    start = clock.now()
    for offset, line in SEED:
        clock.set(start.add(seconds=offset))
        execute_line(s, line, settings, clock)
    # an alert opens INC-4, not declared yet
    alert = {
        "routing_key": "R0UT1NGKEYlifecycleui0123456789a",
        "event_action": "trigger",
        "dedup_key": "disk-db7",
        "payload": {"summary": "Disk 95% on db-7", "source": "db-7", "severity": "error"},
    }
    clock.set(start.add(minutes=40))
    s.transact(lambda st: intake_alerts(st, settings, parse_body(alert, clock.now()), clock.now()))
    clock.set(start.add(minutes=45))  # INC-1's page silent 45 min, INC-2's 35: both stale
    yield s
    s.close()


@pytest.fixture
def app(store, settings, clock):
    return make_app(store, settings, clock, ticking=False, bell=False)


async def settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_snapshot_stale_status_page_warning_80x24(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24))


def test_snapshot_declare_form_for_an_alert_opened_incident_80x24(snap_compare, app):
    # INC-4 (opened by an alert, not declared) is selected, then d
    assert snap_compare(app, terminal_size=(80, 24), press=["G", "d"])


@pytest.mark.anyio
async def test_stale_marker_status_bar_and_pending_lines(app):
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        bar = app.screen.query_one(StatusBar)
        stale = str(bar.query_one("#stale").render())
        assert stale == "⚠ INC-1 status page silent 45m (+1)"
        pane = app.screen.incidents
        marks = {r.id: r.page_stale(pane.now_ts, 30) for r in pane.rows}
        assert marks == {"INC-1": True, "INC-2": True, "INC-3": False, "INC-4": False}
        app.screen.incidents.select("INC-1")
        await settle(app, pilot)
        timeline = app.screen.query_one(TimelinePane)
        assert timeline.pending == ("providers: incident.declare queued (not sent yet)",)
        # an update freshens the page: the warning moves to the next stale one
        await pilot.press("colon")
        await pilot.press(*'update INC-1 monitoring "Fix deployed"')
        await pilot.press("enter")
        await settle(app, pilot)
        stale = str(bar.query_one("#stale").render())
        assert stale == "⚠ INC-2 status page silent 35m"


@pytest.mark.anyio
async def test_resolving_on_screen_writes_the_postmortem(app, store):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.screen.incidents.select("INC-1")
        await settle(app, pilot)
        await pilot.press("r", "y")
        await settle(app, pilot)
        path = default_path(store.path, "INC-1")
        assert path.exists()
        assert path.read_text().startswith("# Postmortem draft: INC-1: Payments degraded")
        message = str(app.screen.query_one("#message").render())
        # at 80 columns the path keeps its end (the folders nearest the file)
        assert "INC-1 resolved · postmortem draft: " in message
        assert message.endswith("/postmortems/INC-1.md") and len(message) <= 78


@pytest.mark.anyio
async def test_a_resolve_from_elsewhere_gets_its_draft_from_the_screen(app, store, clock):
    from console.domain.model import Event

    class Made:
        def __init__(self, events):
            self.events, self.intents = events, []

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        link = app.screen.link
        # another process (a provider's news through `sync`) resolves INC-2
        other = Store.open(store.path)
        news = Event(
            "news-r1",
            clock.now(),
            "resolved",
            "Grace Hopper",
            "provider",
            "Resolved in PagerDuty by Grace Hopper",
            "INC-2",
        )
        other.transact(lambda _s: Made([news]))
        other.close()
        link.poll()
        [(inc, path, _message)] = link.write_drafts_for_others()
        assert inc == "INC-2" and path == str(default_path(store.path, "INC-2"))
        text = default_path(store.path, "INC-2").read_text()
        assert "Resolved in PagerDuty by Grace Hopper" in text
        assert link.write_drafts_for_others() == []  # once
        # a resolve typed here writes its own draft, not a second one through this path
        app.screen.incidents.select("INC-1")
        await settle(app, pilot)
        await pilot.press("r", "y")
        await settle(app, pilot)
        assert default_path(store.path, "INC-1").exists()
        assert link.write_drafts_for_others() == []
