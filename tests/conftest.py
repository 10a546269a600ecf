"""Shared fixtures: a fixed clock, settings, a fresh store in tmp_path."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from console.domain.clock import FixedClock
from console.domain.settings import settings_from_dict

# CI must not go red on a new random example: there each property test runs a fixed
# sequence of examples. At a desk they stay random, which is how they find bugs.
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

T0 = "2026-11-30T09:00:00Z"

TEAM = {
    "user": {"name": "Ada Lovelace", "email": "ada@example.com", "handle": "ada"},
    "users": {
        "ada": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "grace": {"name": "Grace Hopper", "email": "grace@example.com"},
        "gregory": {"name": "Gregory House", "email": "house@example.com"},
    },
    "services": {
        "payments": {"components": ["Payment Processing"], "escalation_policy": "payments"},
        "database": {"components": ["Dashboard"]},
    },
    "status": {
        "components": [{"name": "Payment Processing"}, {"name": "Dashboard"}, {"name": "API"}]
    },
    "policies": {"payments": {"rules": []}},
}


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def settings():
    return settings_from_dict(TEAM, source="test.toml")


@pytest.fixture
def bare_settings():
    return settings_from_dict({}, source="<defaults>")


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test reads or writes the real user's config, store or themes."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("INCIDENT_CONSOLE_STORE", raising=False)
    monkeypatch.delenv("INCIDENT_CONSOLE_CONFIG", raising=False)
