"""Theme choice in the App: user folder, broken files, NO_COLOR."""

from __future__ import annotations

import pytest

from console.paths import user_themes_dir
from tests.ui.conftest import settle

pytestmark = pytest.mark.anyio


async def test_user_theme_loads_and_a_broken_one_is_one_notice(app_factory):
    folder = user_themes_dir()
    folder.mkdir(parents=True)
    (folder / "night.toml").write_text('name = "night"\nprimary = "#336699"\n')
    (folder / "broken.toml").write_text("this is [ not toml")
    app = app_factory(theme="night")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "night"
        assert len(app.notices) == 1 and "broken.toml" in app.notices[0]


async def test_no_color_picks_monochrome(app_factory, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_factory()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "monochrome"


async def test_unknown_theme_falls_back_to_dark_with_a_notice(app_factory):
    app = app_factory(theme="nope")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.theme == "dark"
        assert any("nope" in n for n in app.notices)
