"""The ctrl+p palette: every verb of the command language as 'noun: verb', the keys'
actions, and the themes."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.commands.grammar import verbs

NOUNS = {"incident": "incident", "status": "status"}


def palette_entries(theme_names: list[str]) -> list[tuple[str, str, str, str]]:
    """(title, help, kind, value): kind 'line' opens ':' with value, 'theme' switches."""
    out = []
    for spec in verbs():
        noun = NOUNS.get(spec.group, spec.group)
        out.append((f"{noun}: {spec.name}", spec.summary + f"  ({spec.usage})", "line", spec.name))
    for name in theme_names:
        out.append((f"theme: {name}", f"switch to the {name} theme", "theme", name))
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
