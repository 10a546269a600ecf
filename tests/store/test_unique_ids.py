"""A journal never repeats a stored event id, so opening one folds it without reading
every stored id (the ids of a 50k-event log cost as much again as the rest of an open)."""

from __future__ import annotations

import json

from console.store import Batch, Store
from tests.store.test_cold_layout import _compacted, _ev, _folded
from tests.store.test_projection import _history, _same


def _journal_ids(path) -> list[str]:
    journal = next(path.glob("journal-*.jsonl"))
    lines = journal.read_bytes().rstrip(b"\0").splitlines()[1:]
    return [r["id"] for line in lines for r in json.loads(line)["r"] if r["t"] == "event"]


def test_opening_a_store_with_a_journal_reads_no_stored_ids(tmp_path):
    path = tmp_path / "s"
    history = _history(3)
    _compacted(path, history[:-5])
    store = Store.open(path)
    store.transact(lambda s: Batch(events=history[-5:]))
    store.close()
    opened = Store.open(path, read_only=True)
    assert not opened.state.event_ids.loaded, "the stored ids were read to fold the journal"
    _same(opened.state, _folded(history))


def test_a_write_drops_an_event_whose_id_is_stored_and_keeps_the_rest(tmp_path):
    path = tmp_path / "s"
    history = _history(4)
    _compacted(path, history)
    store = Store.open(path)
    again = history[3]  # an id the stored log holds
    new = _ev("fresh-1", None, "note", 500, text="new")
    store.transact(lambda s: Batch(events=[again, new, new]))
    assert _journal_ids(path) == ["fresh-1"], "only the new event, once"
    reopened = Store.open(path, read_only=True)
    _same(reopened.state, _folded([*history, new]))
    assert len(reopened.state.event_ids) == len(history) + 1


def test_an_old_journal_rewritten_in_the_current_shape_still_checks_every_id(tmp_path):
    """A journal whose header does not say unique_ids may repeat a stored id: folded with
    every stored id read, the repeat changes nothing."""
    from console.store import journal as jr

    path = tmp_path / "s"
    history = _history(5)
    _compacted(path, history)
    journal = next(path.glob("journal-*.jsonl"))
    head = jr.header_line(3, "live", "2026-11-30T09:00:00Z", unique_ids=False)
    repeat = {"t": "event", **history[2].to_record()}
    journal.write_bytes(head + jr.encode([[repeat]]))
    opened = Store.open(path, read_only=True)
    assert opened.state.event_ids.loaded
    _same(opened.state, _folded(history))
