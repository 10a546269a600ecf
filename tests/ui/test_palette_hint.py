"""The palette's help line shows each verb's usage as written (QA Q6: `(ack )`)."""

from textual.content import Content

from console.commands.grammar import verbs
from console.ui.palette import literal_markup, palette_entries


def test_every_palette_help_reads_as_its_usage():
    entries = {title: help_ for title, help_, *_ in palette_entries(["dark"])}
    shown = {title: Content.from_markup(help_).plain for title, help_ in entries.items()}
    assert shown["incident: ack"] == "acknowledge an incident  (ack [INC])"
    for spec in verbs():
        assert any(text.endswith(f"({spec.usage})") for text in shown.values()), spec.usage


def test_literal_markup_keeps_backslashes_and_brackets():
    for text in ["a \\ b", "[INC] [b]", "end\\", "[bold]x[/bold]", "\\[INC]", "\\\\[x]"]:
        assert Content.from_markup(literal_markup(text)).plain == text
