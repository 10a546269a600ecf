"""A drill's outbox reaches the in-process fakes through the sync engine: faults hold it
back, other responders act in the fakes' web UI and come back through the poll."""

from __future__ import annotations

import pytest

from console.drill import start_drill
from console.drill.remote import sync_available
from tests.drill.conftest import responses

pytestmark = pytest.mark.skipif(not sync_available(), reason="console.sync is not in this build")


def _play(name, which, root):
    session = start_drill(name, root=root, headless=True, responses=responses(name, which))
    report = session.run_headless()
    return session, report


def test_actions_queue_through_the_outage_and_go_out_after_it(drill_root):
    session, report = _play("provider-outage", "meets", drill_root)
    try:
        outage_ends = session.scenario.start.add(seconds=20 + 600)
        pd = [
            rec
            for (_intent, provider), rec in session.store.deliveries.items()
            if provider == "pagerduty"
        ]
        assert pd and all(rec["state"] == "sent" for rec in pd)
        assert min(rec["at"] for rec in pd) >= outage_ends.strftime("%Y-%m-%dT%H:%M:%SZ")
        # the fake answered 503 while the outage lasted, and took the writes after it
        fake = session.remote.fakes["pagerduty"]
        assert 503 in [resp.status for _req, resp in fake.answers]
        writes = [resp.status for req, resp in fake.answers if req.method != "GET"]
        assert writes and all(200 <= s < 300 for s in writes)
        linked = [e for e in session.store.state.timeline("INC-1") if e.kind == "provider_linked"]
        assert any(e.data.get("provider") == "pagerduty" and e.at >= outage_ends for e in linked)
        assert report.data["sync"]["engine"] is True
        assert "pagerduty:" in report.markdown and "sent" in report.markdown
        assert "At the end: pagerduty: ok" in report.markdown
        assert [c["incident"] for c in report.data["chat"]] == ["INC-1"]
        # the stakeholders' message reached the fake chat webhook
        assert report.data["sync"]["deliveries"].get("chat", {}).get("sent", 0) >= 1
        assert "## Messages to stakeholders (chat)" in report.markdown
    finally:
        session.close()


def test_a_responder_cannot_ack_what_has_not_reached_pagerduty(drill_root):
    session, _report = _play("provider-outage", "misses", drill_root)
    try:
        notes = [e for e in session.store.state.timeline("INC-1") if e.kind == "drill_note"]
        assert notes and "has not reached PagerDuty" in notes[0].text
        assert notes[0].origin == "drill"
        # the commander's late ack is the first acknowledgement
        first_ack = next(
            e for e in session.store.state.timeline("INC-1") if e.kind == "acknowledged"
        )
        assert first_ack.origin == "local"
    finally:
        session.close()


def test_a_note_in_pagerduty_s_web_ui_comes_back_through_the_poll(drill_root):
    session, _report = _play("provider-outage", "meets", drill_root)
    try:
        fake = session.remote.fakes["pagerduty"]
        remote_id = session.store.state.get("INC-1").provider_ids["pagerduty"]
        assert any(n["content"].startswith("Gateway vendor") for n in fake.notes[remote_id])
        note = next(
            e
            for e in session.store.state.timeline("INC-1")
            if e.kind == "note" and e.text.startswith("Gateway vendor")
        )
        assert note.origin == "provider" and note.author == "Kenji Sato"
    finally:
        session.close()
