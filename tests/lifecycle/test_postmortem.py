"""The postmortem draft: every section, every timeline event, untrusted text inert."""

from __future__ import annotations

import re

import pytest

from console.domain.clock import FixedClock
from console.domain.model import Event
from console.domain.postmortem import (
    PendingDelivery,
    PostmortemError,
    duration_words,
    incident_events,
    render_postmortem,
)
from tests.lifecycle.world import World

PEOPLE = {"ada": "Ada Lovelace", "grace": "Grace Hopper"}


@pytest.fixture
def world(settings, clock):
    return World(settings, clock)


def a_full_incident(world: World) -> None:
    world.run('declare sev2 "Payments degraded" --service payments')
    world.run("ack INC-1", after_seconds=250)
    world.run("role INC-1 comms grace", after_seconds=10)
    world.run('task INC-1 "Alert on queue depth" --owner grace', after_seconds=60)
    world.run('update INC-1 identified "Root cause found"', after_seconds=600)
    world.run('resolve INC-1 --note "Rolled back"', after_seconds=3450)


def test_sections_times_and_owners(world):
    a_full_incident(world)
    md = render_postmortem(world.state, "INC-1", world.clock.now(), people=PEOPLE)
    for heading in (
        "# Postmortem draft: INC-1: Payments degraded",
        "## Summary",
        "## Impact",
        "## Roles",
        "## Timeline (UTC)",
        "## Action items",
        "## Root cause",
    ):
        assert heading in md
    assert "| Severity | SEV2 |" in md
    assert "| Time to acknowledge | 4m 10s |" in md
    assert "| Time to resolve | 1h 12m |" in md  # 250+10+60+600+3450 = 4370 s
    assert "| Duration | 1h 12m (2026-11-30 09:00:00Z to 2026-11-30 10:12:50Z) |" in md
    assert "| Service | payments |" in md
    assert "| Components | Payment Processing |" in md
    assert "Public impact major; 3 status-page posts (investigating → identified → resolved)" in md
    assert "- Commander: Ada Lovelace \\(ada\\)" in md
    assert "- Comms: Grace Hopper \\(grace\\)" in md
    assert "- [ ] Alert on queue depth (owner: Grace Hopper \\(grace\\))" in md
    # the component went down with the declare and came back with the resolve
    assert "- Payment Processing: partial\\_outage → operational; not operational for 1h 12m" in md
    assert "Resolved 2026-11-30 10:12:50Z by Ada Lovelace, 1h 12m after it opened." in md


def test_every_timeline_event_appears_once_in_order_with_author_and_utc_time(world):
    a_full_incident(world)
    md = render_postmortem(world.state, "INC-1", world.clock.now(), people=PEOPLE)
    rows = [line for line in md.splitlines() if re.match(r"^\| \d{4}-\d\d-\d\d ", line)]
    events = incident_events(world.state, "INC-1")
    assert len(rows) == len(events) == len(world.state.timeline("INC-1")) + 2  # 2 components
    for row, ev in zip(rows, events, strict=True):
        assert row.startswith(f"| {ev.at.in_tz('UTC').strftime('%Y-%m-%d %H:%M:%S')}Z | ")
        assert f"| {ev.author} | {ev.origin} |" in row
    kinds = [e.kind for e in events]
    assert kinds[:3] == ["opened", "declared", "component_status"]
    assert kinds[-4:] == ["note", "resolved", "status_page_update", "component_status"]


def test_events_from_other_origins_and_later_instants_are_sorted_by_time(world):
    world.run('declare sev3 "Search slow"')
    world.clock.advance(600)
    # a provider's news that happened earlier than the last local event
    earlier = world.clock.now().subtract(seconds=300)
    world.state.apply(
        Event("news-1", earlier, "note", "Grace Hopper", "provider", "Seen in PagerDuty", "INC-1")
    )
    world.run('note INC-1 "later note"')
    events = incident_events(world.state, "INC-1")
    assert [e.text for e in events][-2:] == ["Seen in PagerDuty", "later note"]
    md = render_postmortem(world.state, "INC-1", world.clock.now())
    assert md.index("Seen in PagerDuty") < md.index("later note")
    assert "| Grace Hopper | provider |" in md


def test_untrusted_text_is_inert_and_literal(world):
    nasty = "**URGENT** [click](http://x) <img src=x> | cell\x1b[31mred\x1b]52;c;AAA\x07 `code` # h"
    world.run(f"declare sev3 {_quote(nasty)}")
    world.run(f"note INC-1 {_quote('line one' + chr(10) + '| forged | row |')}")
    md = render_postmortem(world.state, "INC-1", world.clock.now())
    assert "\x1b" not in md and "\x07" not in md
    assert "**URGENT**" not in md and "\\*\\*URGENT\\*\\*" in md
    assert not re.search(r"(?<!\\)[<\[]", md)  # no raw HTML, no link can open
    assert "\\<img src=x\\>" in md and "\\[click\\]\\(http" in md
    # a note cannot start a new table row or break its cell
    assert not any(line.startswith("| forged") for line in md.splitlines())
    timeline = md[md.index("## Timeline") : md.index("## Action items")]
    for row in timeline.splitlines()[4:]:
        if row:
            assert len(re.findall(r"(?<!\\)\|", row)) == 5, row


def test_still_open_and_not_public(world):
    world.run('declare sev4 "Minor glitch"')
    world.clock.advance(125)
    md = render_postmortem(world.state, "INC-1", world.clock.now())
    assert "| Time to acknowledge | not acknowledged |" in md
    assert "| Time to resolve | not resolved yet |" in md
    assert "No public impact declared" in md
    assert "Still triggered when this draft was written, 2m 5s after it opened." in md


def test_pending_deliveries_are_listed(world):
    world.run('declare sev3 "Search slow"')
    md = render_postmortem(
        world.state,
        "INC-1",
        world.clock.now(),
        pending=[
            PendingDelivery("statuspage", "incident.resolve", "retrying", "connection refused")
        ],
    )
    assert "## Not yet delivered when this draft was written" in md
    assert "- statuspage: `incident.resolve` retrying: connection refused" in md
    assert "Not yet delivered" not in render_postmortem(world.state, "INC-1", world.clock.now())


def test_unknown_incident_is_refused(world):
    with pytest.raises(PostmortemError, match="INC-4 does not exist"):
        render_postmortem(world.state, "INC-4", FixedClock("2026-01-01T00:00:00Z").now())


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (None, "—"),
        (0, "0s"),
        (35, "35s"),
        (60, "1m"),
        (250, "4m 10s"),
        (3600, "1h"),
        (4370, "1h 12m"),
        (86400, "1d"),
        (183600, "2d 3h"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words


def _quote(text: str) -> str:
    return "'" + text.replace("'", "") + "'"
