"""The ctrl+p palette: every verb of the command language as 'noun: verb', the keys'
actions, and the themes."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.commands.grammar import verbs

NOUNS = {"incident": "incident", "status": "status"}


def literal_markup(text: str) -> str:
    """`text` as Textual markup that shows every character as written.

    The palette renders a hit's help as markup, so a usage's `[INC]` would vanish as an
    unknown tag; Textual's own `escape` only guards tags that start in lower case."""
    return text.replace("[", "\\[")


def palette_entries(theme_names: list[str]) -> list[tuple[str, str, str, str]]:
    """(title, help, kind, value): kind 'line' opens ':' with value, 'theme' switches.

    The help is markup (what the palette expects), written so that it reads literally."""
    out = []
    for spec in verbs():
        noun = NOUNS.get(spec.group, spec.group)
        help_ = literal_markup(f"{spec.summary}  ({spec.usage})")
        out.append((f"{noun}: {spec.name}", help_, "line", spec.name))
    for name in theme_names:
        out.append((f"theme: {name}", literal_markup(f"switch to the {name} theme"), "theme", name))
    return out


class ConsoleCommands(Provider):
    """Commands from the one registry, plus theme switching."""

    def _entries(self):
        app = self.app
        themes = sorted(getattr(app, "console_themes", []))
        return palette_entries(themes)

    def _run(self, kind: str, value: str) -> None:
        app = self.app
        if kind == "theme":
            app.theme = value
            return
        screen = app.screen_stack[0] if app.screen_stack else None
        main = next((s for s in app.screen_stack if hasattr(s, "link")), screen)
        selected = getattr(main, "selected", None)
        from console.commands.grammar import REGISTRY

        spec = REGISTRY[value]
        text = f"{value} {selected} " if spec.takes_incident and selected else f"{value} "
        main.query_one("#command-line").open("command", text)

    async def discover(self) -> Hits:
        for title, help_, kind, value in self._entries():
            yield DiscoveryHit(title, partial(self._run, kind, value), help=help_)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_, kind, value in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score, matcher.highlight(title), partial(self._run, kind, value), help=help_
                )
