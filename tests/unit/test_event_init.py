"""Event's hand-written __init__ behaves as the frozen dataclass's own would."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pendulum
import pytest

from console.domain.model import Event

AT = pendulum.datetime(2026, 8, 20, 10, 0, 0, 123456, tz="UTC")


def test_positional_and_keyword_build_the_same_event():
    by_position = Event("e1", AT, "note", "ada", "local", "hi", "INC-1", {"text": "hi"})
    by_name = Event(
        id="e1",
        at=AT,
        kind="note",
        author="ada",
        origin="local",
        text="hi",
        incident="INC-1",
        data={"text": "hi"},
    )
    assert by_position == by_name
    assert [getattr(by_name, f.name) for f in dataclasses.fields(Event)] == [
        "e1",
        AT,
        "note",
        "ada",
        "local",
        "hi",
        "INC-1",
        {"text": "hi"},
    ]


def test_defaults_a_fresh_dict_each_and_keeps_what_it_is_given():
    a, b = Event("a", AT, "k", "x", "o", "t"), Event("b", AT, "k", "x", "o", "t")
    assert a.incident is None and a.data == {} and a.data is not b.data
    assert Event("c", AT, "k", "x", "o", "t", data=None).data is None  # as given, as before
    with pytest.raises(TypeError):
        Event("d", AT, "k")  # type: ignore[call-arg]


def test_stays_frozen_and_copies_as_a_dataclass():
    ev = Event("e1", AT, "note", "ada", "local", "hi")
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.text = "changed"  # type: ignore[misc]
    assert dataclasses.replace(ev, text="other").text == "other"
    assert pickle.loads(pickle.dumps(ev)) == ev == copy.deepcopy(ev)
