"""The alert book's child layers: whatever a child records, it reads like a root book would."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.intake.book import AlertBook, AlertEntry

KEYS = ("a", "b", "c", "d", "e")
INCIDENTS = (None, "INC-1", "INC-2", "INC-3")
PUTS = st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(INCIDENTS)), max_size=30)


def _entry(key: str, incident: str | None) -> AlertEntry:
    return AlertEntry(key, incident, "svc", "triggered", "s", "critical", 1, None, None)


def _apply(book: AlertBook, puts: list[tuple[str, str | None]], remove_every: int) -> None:
    for i, (key, inc) in enumerate(puts):
        # some puts remove the alert instead (resolved), the rest open or move it
        book.put_entry(key, None if remove_every and i % remove_every == 0 else _entry(key, inc))


def _view(book: AlertBook) -> dict[str, frozenset[str]]:
    return {inc: book.keys_of(inc) for inc in INCIDENTS if inc}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(before=PUTS, after=PUTS, remove_every=st.integers(0, 4))
def test_a_child_over_a_root_reads_like_one_root_given_the_same_puts(before, after, remove_every):
    reference = AlertBook()
    _apply(reference, before + after, 0)
    root = AlertBook()
    _apply(root, before, 0)
    child = root.child()
    _apply(child, after, 0)
    assert _view(child) == _view(reference)
    for inc in INCIDENTS[1:]:
        assert child.has_keys(inc) == bool(reference.keys_of(inc))

    # with removals, and the parent left untouched by its child
    parent_view = _view(root)
    flat = AlertBook()
    _apply(flat, before, 0)
    _apply(flat, after, remove_every)
    layered = root.child()
    _apply(layered, after, remove_every)
    assert _view(layered) == _view(flat)
    assert {e.key for e in layered.open_entries()} == {e.key for e in flat.open_entries()}
    for inc in INCIDENTS[1:]:
        assert layered.has_keys(inc) == bool(flat.keys_of(inc))
    assert _view(root) == parent_view


TOKENS = ("t1", "t2", "t3")
GROUP_OPS = st.lists(
    st.one_of(
        st.tuples(st.just("group"), st.sampled_from(TOKENS), st.sampled_from(INCIDENTS[1:])),
        st.tuples(st.just("drop"), st.just(""), st.sampled_from(INCIDENTS[1:])),
    ),
    max_size=30,
)


def _group_ops(book: AlertBook, ops) -> None:
    from console.domain.intake.book import GroupSlot

    for op, token, inc in ops:
        if op == "group":
            book.put_group(token, GroupSlot(inc, None))
        else:
            book._drop_groups_of(inc)  # what folding the incident's resolve does


def _groups(book: AlertBook) -> dict[str, str | None]:
    return {t: (s.incident if (s := book.group(t)) else None) for t in TOKENS}


@settings(max_examples=200, deadline=None, derandomize=True)
@given(before=GROUP_OPS, after=GROUP_OPS)
def test_resolving_an_incident_frees_exactly_its_group_slots_in_any_layer(before, after):
    flat = AlertBook()
    _group_ops(flat, before + after)
    root = AlertBook()
    _group_ops(root, before)
    parent_view = _groups(root)
    child = root.child()
    _group_ops(child, after)
    assert _groups(child) == _groups(flat)
    assert _groups(root) == parent_view
    # and a root's index holds only the slots it has (nothing left behind to grow)
    assert {t for ts in flat._tokens.values() for t in ts} == {
        t for t, inc in _groups(flat).items() if inc
    }


def test_an_entry_is_a_frozen_dataclass_with_every_field_set():
    import dataclasses

    e = AlertEntry("k", "INC-1", "svc", "triggered", "s", "critical", 2, 1.0, 2.0)
    assert [f.name for f in dataclasses.fields(e)] == list(vars(e))
    assert e.started_at is None and e.count == 2
    assert dataclasses.replace(e, count=3) == AlertEntry(
        "k", "INC-1", "svc", "triggered", "s", "critical", 3, 1.0, 2.0, None
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        e.count = 5  # type: ignore[misc]
