"""Every step survives a provider being down: it is queued, the pending work shows per
incident, resolving still writes the postmortem, and once the provider is back each
change lands once, in order."""

from __future__ import annotations

import pytest

from console.domain.clock import FixedClock
from console.domain.pending import pending_for, pending_line
from console.providers.fakes import Fault
from tests.lifecycle.providers_world import PUBLIC, Console, check_all_against_specs

DOWN = 10**6  # a fault that outlasts the test


@pytest.fixture
def console(tmp_path):
    c = Console(tmp_path, FixedClock("2026-11-30T09:00:00Z"))
    yield c
    c.close()
    check_all_against_specs(c)


def take_down(fake) -> None:
    fake.inject(Fault.server_error(503, times=DOWN))


def bring_back(fake) -> None:
    with fake.lock:
        fake.faults.clear()


def pending_lines(c: Console, inc: str = "INC-1") -> list[str]:
    c.store.refresh()
    return [pending_line(p) for p in pending_for(inc, c.store.intents.values(), c.store.deliveries)]


def lifecycle(c: Console) -> None:
    c.run('declare sev2 "Payments degraded" --service payments')
    c.sync(max_seconds=60)
    c.run(
        'update INC-1 identified "Found it" --component "Payment Processing=degraded_performance"'
    )
    c.sync(max_seconds=60)
    c.run('resolve INC-1 --note "Fixed"')


def test_statuspage_down_through_the_whole_lifecycle(console):
    c = console
    take_down(c.sp)
    lifecycle(c)
    # the commander's side is complete: local state, PagerDuty, chat
    inc = c.store.state.get("INC-1")
    assert inc.status == "resolved" and inc.page_status == "resolved"
    assert c.store.state.components["Payment Processing"].status == "operational"
    assert c.sp.incidents == {}
    lines = pending_lines(c)
    assert lines[0].startswith("statuspage: incident.declare retrying (")
    assert lines[1].startswith("statuspage: status.update retrying (")
    assert lines[2] == "providers: incident.resolve queued (not sent yet)"
    # the postmortem was written anyway, and says what had not reached the status page
    draft = c.postmortem("INC-1")
    assert "## Not yet delivered when this draft was written" in draft
    assert "- statuspage: `incident.declare` retrying" in draft
    assert "- statuspage: `status.update` retrying" in draft
    states = {s.provider: s.state for s in c.engine.status()}
    assert states["statuspage"] in ("backing_off", "offline") and states["pagerduty"] == "ok"

    c.sync(max_seconds=60)  # the resolve reaches PagerDuty and chat; the page waits
    assert [
        p.provider for p in pending_for("INC-1", c.store.intents.values(), c.store.deliveries)
    ] == ["statuspage"] * 3
    bring_back(c.sp)
    c.sync(max_seconds=900)
    assert pending_lines(c) == []
    [page] = c.sp.incidents.values()  # created once, then updated in order
    statuses = [u["status"] for u in reversed(page["incident_updates"])]
    assert statuses == ["investigating", "identified", "resolved"]
    assert c.sp.components[PUBLIC["Payment Processing"]]["status"] == "operational"


@pytest.mark.parametrize("down", ["pd", "chat"])
def test_paging_or_chat_down_queues_and_catches_up(console, down):
    c = console
    fake = {"pd": c.pd, "chat": c.chat}[down]
    provider = {"pd": "pagerduty", "chat": "chat"}[down]
    take_down(fake)
    lifecycle(c)
    assert c.store.state.get("INC-1").status == "resolved"
    assert c.postmortem("INC-1").startswith("# Postmortem draft: INC-1: Payments degraded")
    c.sync(max_seconds=60)
    waiting = pending_for("INC-1", c.store.intents.values(), c.store.deliveries)
    assert waiting and {p.provider for p in waiting} == {provider}
    assert all(p.state == "retrying" for p in waiting)
    [page] = c.sp.incidents.values()  # the status page did not wait for the others
    assert page["status"] == "resolved"
    bring_back(fake)
    c.sync(max_seconds=900)
    assert pending_lines(c) == []
    if down == "pd":
        [remote] = c.pd.incidents.values()
        assert remote["status"] == "resolved" and remote["title"] == "Payments degraded"
    else:
        texts = [p["text"] for p in c.chat.posts]
        assert len(texts) == 3 and "Payments degraded" in texts[0]
