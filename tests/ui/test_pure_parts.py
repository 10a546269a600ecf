"""The screen's pure helpers: filter, completion, forms' command lines, themes, keymap."""

from __future__ import annotations

import shlex

from console.commands.grammar import parse
from console.ui import forms
from console.ui.command_line import complete
from console.ui.filtering import parse_filter
from console.ui.formatting import age, fit
from console.ui.keymap import keymap_from_settings
from console.ui.themes import SEMANTIC_DEFAULTS, load_themes


class Row:
    def __init__(self, severity, status, service, text):
        self.severity, self.status, self.service, self.search_text = severity, status, service, text


def test_filter_fields_and_words():
    row = Row(1, "triggered", "payments", "inc-2 checkout returns 500 payments ada")
    assert parse_filter("sev:1 status:triggered service:payments checkout").matches(row)
    assert parse_filter("status:open").matches(row)
    assert not parse_filter("sev:2").matches(row)
    assert not parse_filter("service:database").matches(row)
    assert not parse_filter("checkout login").matches(row)
    assert parse_filter("sev:1 sev:2").matches(row)  # a field twice: either value
    assert parse_filter("sev:9").problems == ("sev:9 is not a severity (sev:1 to sev:5)",)


def test_completion_from_the_registry():
    assert complete("ac", "INC-2", []) == "ack"
    assert complete("ack I", "INC-2", []) == "ack INC-2"
    assert complete("declare se", None, []) == "declare sev1"
    assert complete('component "Da', None, ["Dashboard"]) == 'component "Dashboard"'
    assert complete("nonsense x", None, []) is None


def test_forms_make_lines_the_grammar_reads():
    hostile = 'it\'s "quoted" [/] $(rm -rf)'
    line = forms.note_form().line({"text": hostile}, "INC-3")
    assert parse(line).args == {"inc": "INC-3", "text": hostile}
    decl = forms.declare_form(["payments"], ["API"], None)
    line = decl.line(
        {
            "severity": "sev1",
            "title": "Login down",
            "service": "payments",
            "components": "API, Dashboard",
        },
        None,
    )
    cmd = parse(line)
    assert cmd.args["severity"] == 1 and cmd.args["components"] == ["API", "Dashboard"]
    comp = forms.component_form(["API"])
    assert comp.confirm({"component": "API", "status": "major_outage"})
    assert comp.confirm({"component": "API", "status": "degraded_performance"}) is None
    assert shlex.split(comp.line({"component": "API", "status": "major_outage"}, None)) == [
        "component",
        "API",
        "major_outage",
    ]


def test_form_refuses_a_missing_field_by_name():
    try:
        forms.note_form().line({"text": " "}, "INC-1")
    except forms.FormError as exc:
        assert "Note" in str(exc)
    else:
        raise AssertionError("an empty note was accepted")


def test_ages_and_fit():
    assert [age(s) for s in (5, 61, 3700, 90000)] == ["<1m", "1m", "1h", "1d"]
    assert fit("abcdef", 4) == "abc…" and fit("ab", 4) == "ab  "
    assert fit("日本語テキスト", 6) == "日本…" or len(fit("日本語テキスト", 6)) <= 6


def test_bundled_themes_carry_every_semantic_variable():
    from console.paths import themes_dir

    found = load_themes(themes_dir())
    assert {"dark", "light", "high-contrast", "monochrome", "colorblind"} <= set(found.themes)
    assert not found.problems
    for theme in found.themes.values():
        assert set(SEMANTIC_DEFAULTS) <= set(theme.variables)


def test_broken_theme_files_are_named_and_skipped(tmp_path):
    (tmp_path / "bad.toml").write_text("name = \n")
    (tmp_path / "nocolour.toml").write_text('name = "x"\nprimary = "not-a-colour"\n')
    (tmp_path / "mine.toml").write_text('name = "mine"\nprimary = "#123456"\n')
    found = load_themes(tmp_path)
    assert set(found.themes) == {"mine"}
    assert len(found.problems) == 2
    assert any("bad.toml" in p for p in found.problems)
    assert any("nocolour.toml" in p and "primary" in p for p in found.problems)


def test_keymap_entries_are_checked():
    keymap, problems = keymap_from_settings({"keymap": {"incident.ack": "A", "nope": "x"}})
    assert keymap == {"incident.ack": "A"}
    assert problems == ["[ui.keymap] unknown binding id 'nope'"]


def test_listen_is_refused_in_a_drill_and_read_only():
    from types import SimpleNamespace

    import pytest

    from console.cli.context import CliError
    from console.ui.app import _receiver

    args = SimpleNamespace(listen=0)
    with pytest.raises(CliError, match="live and drill never mix"):
        _receiver(args, None, None, None, drill=object(), read_only=False)
    with pytest.raises(CliError, match="read-only"):
        _receiver(args, None, None, None, drill=None, read_only=True)
    assert _receiver(SimpleNamespace(listen=None), None, None, None, None, False) is None


def test_short_path_keeps_the_file_name_and_its_nearest_folders():
    from console.ui.formatting import short_path

    p = "/home/ada/.local/share/incident-console/live/postmortems/INC-1.md"
    assert short_path(p, 80, home="/home/ada") == (
        "~/.local/share/incident-console/live/postmortems/INC-1.md"
    )
    assert short_path(p, 30, home="/home/ada") == "…/live/postmortems/INC-1.md"
    assert short_path(p, 5, home="/home/ada") == "INC-1.md"
    assert short_path("/home/adam/x.md", 80, home="/home/ada") == "/home/adam/x.md"
