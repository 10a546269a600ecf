"""Drill tests: bundled scenarios and their responses files, a drill root in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "sample_data" / "scenarios"
RESPONSES = SCENARIOS / "responses"
BUNDLED = sorted(p.stem for p in SCENARIOS.glob("*.yaml"))


def responses(name: str, which: str) -> Path:
    return RESPONSES / f"{name}.{which}.yaml"


@pytest.fixture
def drill_root(tmp_path):
    return tmp_path / "drills"
