"""Maintenance windows for the Status pane: active, ending soon, upcoming."""

from __future__ import annotations

from types import SimpleNamespace

from console.domain.intake.maintenance import active_window, all_windows, window_statuses
from console.domain.model import MaintenanceWindow
from tests.unit.intake.helpers import T0

A = MaintenanceWindow("database", T0, T0.add(hours=2), "failover")
B = MaintenanceWindow("payments", T0.add(hours=3), T0.add(hours=4), "deploy")
C = MaintenanceWindow("database", T0.add(minutes=30), T0.add(hours=3), "longer")


def test_statuses_flag_a_window_ending_soon():
    at = T0.add(minutes=110)
    [s1, s2] = window_statuses([A, B], at)
    assert (s1.window, s1.state, s1.seconds_left, s1.warn) == (A, "ending_soon", 600, True)
    assert (s2.window, s2.state, s2.seconds_left) == (B, "upcoming", 70 * 60)


def test_statuses_active_upcoming_and_past():
    assert [s.state for s in window_statuses([A, B], T0)] == ["active", "upcoming"]
    assert window_statuses([A], T0.add(hours=2)) == []  # the end is exclusive
    assert window_statuses([B], T0, horizon_seconds=3600) == []


def test_active_window_takes_the_one_ending_last():
    assert active_window([A, C], "database", T0.add(hours=1)) is C
    assert active_window([A, C], "payments", T0.add(hours=1)) is None
    assert active_window([A], "database", T0.subtract(seconds=1)) is None


def test_all_windows_merges_config_and_timeline_without_duplicates():
    config = SimpleNamespace(maintenance=(B, A))
    state = SimpleNamespace(
        maintenance=[MaintenanceWindow("database", T0, T0.add(hours=2), "same"), C]
    )
    assert all_windows(config, state) == [A, C, B]
