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
