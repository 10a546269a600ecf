"""Intake stamps an intent's created_at with iso(), cut from iso_precise(): the same text."""

from __future__ import annotations

import datetime as dt

import pendulum
from hypothesis import given, settings
from hypothesis import strategies as st

from console.domain.clock import iso, iso_precise

ZONES = st.sampled_from(["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata"])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
    ZONES,
)
def test_seconds_precision_is_the_precise_text_cut_at_the_second(naive, zone):
    when = pendulum.instance(naive, tz=zone)
    assert iso(when) == iso_precise(when)[:19] + "Z"
