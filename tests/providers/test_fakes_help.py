"""`python -m console.providers.fakes --help` says what it serves in a whole sentence."""

from __future__ import annotations

import pytest

from console.providers.fakes.__main__ import main


def test_help_names_every_fake_it_serves(capsys):
    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    out = " ".join(capsys.readouterr().out.split())  # argparse re-wraps the text
    assert (
        "PagerDuty (REST and Events v2), Statuspage, Opsgenie and a Slack incoming webhook." in out
    )


def test_the_printed_config_makes_the_fakes_components_usable(tmp_path, monkeypatch, capsys):
    """QA Q2: following the printout, a declare with the page's component is accepted."""
    import tomllib

    from console.cli import main as cli
    from console.domain.settings import settings_from_dict
    from console.providers.fakes.__main__ import config_snippet

    text = config_snippet("payments", ["Payment Processing", 'Odd "quoted" name'])
    assert text.startswith("[services.payments]\n")
    assert tomllib.loads(config_snippet("odd name", ["X"]))["services"]["odd name"]
    settings = settings_from_dict(tomllib.loads(text), source="fake.toml")
    assert list(settings.components) == ["Payment Processing", 'Odd "quoted" name']
    (tmp_path / "fake.toml").write_text(text)
    line = ':declare sev2 "Payments degraded" --service payments --component "Payment Processing"'
    args = ["--store", str(tmp_path / "s"), "--config", str(tmp_path / "fake.toml"), "exec", line]
    assert cli(args) == 0, capsys.readouterr().err
