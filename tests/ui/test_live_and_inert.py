"""Other writers show up; attention rings; untrusted text stays inert in every pane."""

from __future__ import annotations

import pytest

from console.actions import execute_line
from console.store import Store
from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio

CORPUS = [
    "[/]",
    "[bold red]not markup[/bold red] [link=http://x]y[/link]",
    "\x1b[31mred\x1b[0m CSI",
    "\x1b]52;c;ZXZpbA==\x07 clipboard",
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\ OSC 8",
    "\x9b31m C1 CSI \x9d0;title\x9c",
    "bidi \u202eevil\u202c override",
    "W" * 5000,
]


async def test_another_process_write_appears_and_a_sev1_flashes(app_factory, ui_store, tmp_path):
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        other = Store.open(ui_store.path)  # as `exec` in a second tmux pane would
        execute_line(other, 'declare sev1 "Login down"', screen.link.settings, screen.link.clock)
        screen.feed()  # the poller (tests start it by hand: no ticking)
        for _ in range(60):
            await pilot.pause(0.05)
            if "INC-4" in screen.snapshot.by_id:
                break
        screen.stop_feed()
        assert "INC-4" in screen.snapshot.by_id
        assert "INC-4" in screen.incidents.flashing
        assert "INC-4" in str(screen.query_one("#message").render())
        other.close()


def _texts(widget) -> str:
    return "".join(seg.text for y in range(widget.size.height) for seg in widget.render_line(y))


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_corpus_renders_inert_in_every_pane(tmp_path, ui_settings, ui_clock, size):
    from console.ui.app import make_app

    store = Store.open(tmp_path / "evil")
    for i, text in enumerate(CORPUS):
        quoted = text.replace("'", "")
        execute_line(
            store, f"declare sev{1 + i % 3} '{quoted}' --service payments", ui_settings, ui_clock
        )
        execute_line(store, f"note INC-{i + 1} '{quoted}'", ui_settings, ui_clock)
        execute_line(store, f"update INC-{i + 1} investigating '{quoted}'", ui_settings, ui_clock)
    app = make_app(store, ui_settings, ui_clock, ticking=False)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.screen
        for key in ["1", "2", "3", "4"]:
            await pilot.press(key)
            await settle(pilot)
            for name in ("incidents", "timeline", "oncall", "status"):
                pane = screen.pane(name)
                if not pane.display:
                    continue
                text = _texts(pane)
                assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
                assert not any(0x80 <= ord(c) <= 0x9F for c in text)
        assert "[/]" in _texts(screen.pane("incidents")) or "[/]" in _texts(screen.pane("status"))
        app.save_screenshot(str(tmp_path / "shot.svg"))  # the whole screen renders
    store.close()


def test_a_first_page_does_not_ring_as_an_escalation(ui_store, ui_settings, ui_clock):
    """QA Q11: the timers' first page ("Paged level 1") is not "escalation fired"."""
    from console.drill.timers import DrillTimers
    from console.store import Batch
    from console.ui.store_link import StoreLink

    link = StoreLink(ui_store, ui_settings, ui_clock)
    link.snapshot()
    other = Store.open(ui_store.path)  # the live console's timers, as another writer

    def fire():
        now = ui_clock.now()
        timers = DrillTimers(ui_settings, now.add(hours=1), origin="local")
        other.transact(lambda state: Batch(events=timers.due(state, now)))
        link.poll()
        return [a.why for a in link.take_attention()]

    first = fire()
    assert "escalation fired" not in first
    assert any(e.data.get("first") for e in ui_store.state.timeline("INC-2"))
    ui_clock.set(ui_clock.now().add(minutes=20))  # past the policy's 15 minutes
    assert "escalation fired" in fire()
    other.close()
