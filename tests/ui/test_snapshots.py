"""What a person sees, as SVG snapshots: fixed clock, fixed data, nothing blinking.

Update with `pytest tests/ui/test_snapshots.py --snapshot-update`, then look at every
changed SVG before committing it.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def snap_app(app_factory):
    return app_factory


def test_main_screen_80x24(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=(80, 24))


def test_main_screen_160x48(snap_compare, snap_app):
    assert snap_compare(snap_app(), terminal_size=(160, 48))
