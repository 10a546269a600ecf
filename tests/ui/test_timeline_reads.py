"""The UI thread never reads a stored timeline from the disk.

A compacted store keeps each incident's timeline in its event file until first read
(console/store/coldlog.py). Workers read them: ahead of the cursor, so that an ordinary
move finds its timeline in memory; on a jump, while the Timeline pane says it is loading;
and for the first snapshot's escalations column. Every read of the event file here
records its thread, and may be held until the test lets it go.
"""

from __future__ import annotations

import threading

import pendulum
import pytest

from console.domain.model import Event
from console.domain.settings import settings_from_dict
from console.store import Batch, Store
from console.store.coldlog import ColdFile
from console.ui.main_screen import LOADING
from console.ui.read_ahead import band, outward, to_read
from console.ui.store_link import StoreLink
from tests.ui.conftest import SEED, T0, seed_store, settle

pytestmark = pytest.mark.anyio


class ColdReads:
    """Wraps ColdFile.timeline: records (incident, thread id) of every read; while
    `held`, a read waits (at most a few seconds) until `release()`."""

    def __init__(self, monkeypatch) -> None:
        self.reads: list[tuple[str, int]] = []
        self.gate = threading.Event()
        self.gate.set()
        real = ColdFile.timeline

        def timeline(cold, inc_id, line):
            self.reads.append((inc_id, threading.get_ident()))
            self.gate.wait(5)
            return real(cold, inc_id, line)

        monkeypatch.setattr(ColdFile, "timeline", timeline)

    def hold(self) -> None:
        self.gate.clear()

    def release(self) -> None:
        self.gate.set()

    def on(self, thread: int) -> list[str]:
        return [inc for inc, t in self.reads if t == thread]

    def of(self, incident: str) -> int:
        return sum(1 for inc, _ in self.reads if inc == incident)


def _many(path, count: int) -> None:
    """A compacted store of `count` incidents, INC-1 the newest-sorted last; two events each."""
    at = pendulum.parse(T0)
    events = []
    for n in range(1, count + 1):
        inc, when = f"INC-{n}", at.add(minutes=n)
        events.append(
            Event(
                id=f"o{n}",
                at=when,
                kind="opened",
                author="test",
                origin="local",
                text=f"Opened: incident {n}",
                incident=inc,
                data={
                    "title": f"incident {n}",
                    "severity": 3,
                    "urgency": "low",
                    "service": "database",
                    "components": [],
                },
            )
        )
        events.append(
            Event(
                id=f"n{n}",
                at=when.add(seconds=30),
                kind="note",
                author="test",
                origin="local",
                text=f"first note on {inc}",
                incident=inc,
                data={"text": f"first note on {inc}"},
            )
        )
    store = Store.open(path)
    store.transact(lambda s: Batch(events=events))
    store.compact()
    store.close()


def _timeline_text(app) -> str:
    pane = app.screen.pane("timeline")
    return "\n".join(
        "".join(seg.text for seg in pane.render_line(y)) for y in range(pane.size.height)
    )


def _make(path, ui_settings, ui_clock):
    from console.ui.app import make_app

    store = Store.open(path, read_only=True)
    app = make_app(store, ui_settings, ui_clock, ticking=False, bell=False, read_only=True)
    return store, app


async def test_moves_and_jumps_never_read_a_timeline_on_the_ui_thread(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 300)
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    ui = threading.get_ident()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for keys in (("down",) * 5, ("G",), ("up",) * 3, ("g",), ("pagedown",) * 3):
            await pilot.press(*keys)
            await settle(pilot)
            selected = app.screen.selected
            assert f"first note on {selected}" in _timeline_text(app)
    store.close()
    assert reads.reads, "the store's timelines were read from its event file"
    assert reads.on(ui) == []


async def test_an_ordinary_move_finds_its_timeline_read_ahead(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 300)
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        pane = screen.incidents
        height = pane.size.height - 1
        # the rows on screen and a screen's worth below the cursor are in memory already
        for row in pane.rows[: 2 * height]:
            assert screen.snapshot.timeline_in_memory(row.id) is not None, row.id
        assert screen.snapshot.timeline_in_memory(pane.rows[-1].id) is None
        before = len(reads.reads)
        reads.hold()  # a read now would keep the pane saying "loading"
        for _ in range(height):
            await pilot.press("down")
            assert LOADING not in _timeline_text(app)
            assert f"first note on {screen.selected}" in _timeline_text(app)
        reads.release()
        await settle(pilot)
        assert len(reads.reads) == before, "a screenful of moves started no read"
    store.close()


async def test_a_jump_shows_loading_at_once_then_the_events(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 300)
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    ui = threading.get_ident()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reads.hold()
        await pilot.press("G")
        await pilot.pause()
        last = app.screen.selected
        assert last == app.screen.incidents.rows[-1].id
        text = _timeline_text(app)
        assert LOADING in text and "first note" not in text, text
        assert app.screen.pane("timeline").border_title == f"Timeline {last}"
        reads.release()
        await settle(pilot)
        assert LOADING not in _timeline_text(app)
        assert f"first note on {last}" in _timeline_text(app)
        assert reads.of(last) == 1  # read once, by a worker; the repaint read nothing
    store.close()
    assert reads.on(ui) == []


async def test_a_read_that_lands_after_the_cursor_moved_on_leaves_the_pane_alone(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 300)
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        reads.hold()
        await pilot.press("G")
        await pilot.pause()
        await pilot.press("g")  # back to the top (read ahead already): shown at once
        await pilot.pause()
        top = app.screen.selected
        assert f"first note on {top}" in _timeline_text(app)
        reads.release()
        await settle(pilot)
        assert app.screen.selected == top
        assert f"first note on {top}" in _timeline_text(app)
        assert app.screen.pane("timeline").border_title == f"Timeline {top}"
    store.close()


async def test_the_first_snapshots_escalations_are_read_off_the_ui_thread(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    # INC-4 (payments) is declared as the clock reads: its first page is due now, so the
    # list marks it; once compacted, its timeline is on disk
    path = tmp_path / "store"
    store = seed_store(
        path,
        ui_clock,
        ui_settings,
        SEED + [(600, 'declare sev3 "Card auth slow" --service payments')],
    )
    soon = StoreLink(store, ui_settings, ui_clock).snapshot().escalations_soon
    assert "INC-4" in soon
    store.compact()
    store.close()
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    ui = threading.get_ident()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.snapshot.escalations_soon == soon
        assert not app.screen.snapshot.partial
    store.close()
    assert reads.of("INC-4") >= 1
    assert reads.on(ui) == []


def test_the_band_is_the_screen_and_a_screen_either_side_of_the_cursor():
    assert band(1000, 50, 40, 20) == range(30, 71)
    assert band(1000, 0, 0, 20) == range(0, 21)
    assert band(30, 29, 10, 20) == range(9, 30)
    assert band(1000, 50, 40, 20, 2) == range(10, 91)
    assert outward(5, range(3, 9)) == [5, 6, 4, 7, 3, 8]


def test_nothing_to_read_while_the_band_is_read():
    class Row:
        def __init__(self, i):
            self.id = f"INC-{i}"

    rows = [Row(i) for i in range(100)]
    read = {f"INC-{i}" for i in range(0, 41)}
    assert to_read(rows, 10, 0, 20, lambda i: i not in read) == []
    # one row of the band unread: the read reaches two screens from the cursor, nearest first
    wanted = to_read(rows, 25, 10, 20, lambda i: i not in read)
    assert wanted == [f"INC-{i}" for i in range(41, 66)]
    assert to_read([], 0, 0, 20, lambda i: True) == []


async def test_a_damaged_timeline_met_by_a_jump_is_said_once_and_not_read_at_every_move(
    tmp_path, ui_clock, monkeypatch
):
    path = tmp_path / "store"
    _many(path, 300)
    cold = next(path.glob("events-*.jsonl"))
    reads = ColdReads(monkeypatch)
    # no escalation policies: nothing else (the On-call pane's outlook) reads the timeline
    store, app = _make(path, settings_from_dict({}), ui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        last = app.screen.incidents.rows[-1].id
        line = 1 + int(last.split("-")[1]) - 1  # INC-n's timeline is line n (row order)
        lines = cold.read_bytes().split(b"\n")
        assert f"first note on {last}".encode() in lines[line]
        lines[line] = b"[" + b"x" * (len(lines[line]) - 1)  # same length: offsets hold
        cold.write_bytes(b"\n".join(lines))
        await pilot.press("G")
        await settle(pilot)
        message = str(app.screen.query_one("#message").render())
        assert str(cold) in message and last in message
        assert "cannot be read" in _timeline_text(app)
        for key in ("up", "down", "up", "down"):  # near it, and on it again
            await pilot.press(key)
            await settle(pilot)
        assert reads.of(last) == 1
        assert app.screen.selected == last and "cannot be read" in _timeline_text(app)
        await pilot.press("up")
        await settle(pilot)
        assert "first note on" in _timeline_text(app)
    store.close()


async def test_a_filter_reads_ahead_the_rows_it_brings_on_screen(tmp_path, ui_clock, monkeypatch):
    path = tmp_path / "store"
    _many(path, 300)
    reads = ColdReads(monkeypatch)
    # no escalation policies: the escalations column reads no timeline
    store, app = _make(path, settings_from_dict({}), ui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("down", "down", "down", "down")
        await settle(pilot)
        assert screen.selected == "INC-5"
        # INC-5 stays selected; rows not read yet come up (INC-50, INC-51, ...)
        await pilot.press("slash", "5", "enter")
        await settle(pilot)
        assert screen.selected == "INC-5" and len(screen.incidents.rows) < 300
        before = len(reads.reads)
        reads.hold()
        for _ in range(screen.incidents.size.height - 1):
            await pilot.press("down")
            assert f"first note on {screen.selected}" in _timeline_text(app)
        assert len(reads.reads) == before
        reads.release()
        await settle(pilot)
    store.close()


async def test_a_read_ahead_never_formats_the_snapshot(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    # Textual's @work describes a worker by the repr of its arguments unless told: the
    # repr of a snapshot of 10k incidents took 0.1 s of the UI thread at every jump
    from console.ui.view_model import Snapshot

    path = tmp_path / "store"
    _many(path, 300)
    formatted = []

    def counted_repr(snap):
        formatted.append(snap.version)
        return "Snapshot(...)"

    monkeypatch.setattr(Snapshot, "__repr__", counted_repr)
    reads = ColdReads(monkeypatch)
    store, app = _make(path, ui_settings, ui_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("G")
        await settle(pilot)
        last = app.screen.selected
        assert f"first note on {last}" in _timeline_text(app)
    store.close()
    assert reads.of(last) == 1  # a worker was started, and read it
    assert formatted == []


async def test_moves_made_faster_than_messages_land_are_not_replayed(
    tmp_path, ui_clock, ui_settings, monkeypatch
):
    # keys arriving in a burst (a held key, a paste, a slow link) move the cursor before
    # the pane's Selected messages are handled: those arrive naming rows the cursor has
    # left, and must not walk the Timeline pane back over them
    from console.ui.timeline_pane import TimelinePane

    path = tmp_path / "store"
    _many(path, 300)
    store, app = _make(path, ui_clock=ui_clock, ui_settings=ui_settings)
    shown: list[str | None] = []
    real_show = TimelinePane.show

    def show(pane, incident, *args, **kwargs):
        shown.append(incident)
        return real_show(pane, incident, *args, **kwargs)

    monkeypatch.setattr(TimelinePane, "show", show)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        pane = app.screen.incidents
        for _ in range(3):  # three moves within one turn of the event loop
            pane.action_cursor(1)
        last = pane.selected.id
        assert app.screen.selected == last
        shown.clear()
        await settle(pilot)
        assert set(shown) <= {last}, shown
        assert app.screen.selected == last
        assert f"first note on {last}" in _timeline_text(app)
    store.close()


async def test_a_read_by_an_older_worker_landing_as_the_cursor_arrives_is_shown(
    tmp_path, ui_clock, monkeypatch
):
    # A worker reads a band outward from where the cursor was. The cursor arrives on a
    # row of that band still unread (the pane says loading), and the older worker's read
    # of it lands before the read-ahead looks: the newer read then leaves that row out,
    # so the older worker must say it read the selected row, or "loading" stays.
    import console.ui.main_screen as main_screen

    path = tmp_path / "store"
    _many(path, 300)
    store, app = _make(path, settings_from_dict({}), ui_clock)
    armed: list[tuple[str, str]] = []
    real_to_read = main_screen.to_read

    def to_read(*args):
        if armed:
            # the older worker, started from the jump, reads a row already read and then
            # the one the cursor just reached (its own thread, as a worker's)
            done, target = armed.pop()
            screen = app.screen
            body = type(screen).read_timelines.__wrapped__
            older = threading.Thread(
                target=body,
                args=(screen, screen.snapshot, [done, target], screen._read_request),
            )
            older.start()
            older.join()
        return real_to_read(*args)

    monkeypatch.setattr(main_screen, "to_read", to_read)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        await pilot.press("G")
        await settle(pilot)
        rows = screen.incidents.rows
        # a row three screens up: past what the jump read ahead
        height = screen.incidents.size.height - 1
        target = rows[len(rows) - 1 - 3 * height].id
        assert screen.snapshot.timeline_in_memory(target) is None
        armed.append((rows[-1].id, target))
        screen.incidents.select(target)
        await settle(pilot)
        assert screen.selected == target
        text = _timeline_text(app)
        assert LOADING not in text and f"first note on {target}" in text, text
    store.close()
