"""The App: themes, the keymap, the palette, and the one MainScreen. Thin on purpose.

`run_app(args, ctx)` is what the bare `incident-console` runs; `make_app(...)` builds the
same App for tests and benchmarks with a given store, clock and settings.
"""

from __future__ import annotations

import os
from typing import Any

from textual.app import App, SystemCommand

from console.ui.keymap import keymap_from_settings
from console.ui.main_screen import MainScreen
from console.ui.store_link import StoreLink
from console.ui.themes import (
    DEFAULT_THEME,
    NO_COLOR_THEME,
    SEMANTIC_DEFAULTS,
    ThemeSet,
    bundled_and_user_themes,
    fallback_theme,
)


def console_commands():
    """The palette's provider, imported when the palette first opens (not at start)."""
    from console.ui.palette import ConsoleCommands

    return ConsoleCommands


class ConsoleApp(App):
    """The incident commander's console."""

    TITLE = "incident-console"
    COMMANDS = App.COMMANDS | {console_commands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        link: StoreLink,
        *,
        theme: str | None = None,
        bell: bool = True,
        ticking: bool = True,
        themes: ThemeSet | None = None,
    ) -> None:
        no_color = "NO_COLOR" in os.environ  # App.__init__ pops it from the environment
        super().__init__()
        self.link = link
        self.bell_on = bell
        self.ticking = ticking
        self.theme_set = themes if themes is not None else bundled_and_user_themes()
        if DEFAULT_THEME not in self.theme_set.themes:
            self.theme_set.themes[DEFAULT_THEME] = fallback_theme()
        for t in self.theme_set.themes.values():
            self.register_theme(t)
        self.console_themes = list(self.theme_set.themes)
        wanted = theme or (NO_COLOR_THEME if no_color else None) or DEFAULT_THEME
        self._theme_problem = ""
        if wanted not in self.theme_set.themes:
            self._theme_problem = f"theme '{wanted}' not found; using {DEFAULT_THEME}"
            wanted = DEFAULT_THEME
        self.theme = wanted
        self.keymap_overrides, self._keymap_problems = keymap_from_settings(link.settings.ui)
        self.notices: list[str] = []  # what was said at start (tests read it)
        self.listening: str | None = None  # the alert receiver's URL under --listen

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(SEMANTIC_DEFAULTS)

    background: Any = None  # console.ui.live_background.LiveBackground in the live console
    _background_started = False

    def _run_background(self) -> None:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        bg = self.background
        bg.run(
            lambda: worker.is_cancelled,
            say=lambda text: self.call_from_thread(
                self.notify, text, severity="warning", markup=False
            ),
        )

    def start_background(self) -> None:
        """Start the live background (once): called a moment after the first complete
        screen, so its imports (the sync engine, httpx) never slow the first paint."""
        if self.background is not None and not self._background_started:
            self._background_started = True
            self.run_worker(
                self._run_background, thread=True, exit_on_error=False, name="live-background"
            )

    def on_mount(self) -> None:
        if self.keymap_overrides:
            self.set_keymap(self.keymap_overrides)
        self.push_screen(MainScreen(self.link, bell=self.bell_on, ticking=self.ticking))
        problems = list(self.theme_set.problems)
        if self._theme_problem:
            problems.append(self._theme_problem)
        if problems:
            self.notices.append("\n".join(problems) + f"\n(using the {self.theme} theme)")
            self.notify(
                self.notices[-1],
                title="Theme files skipped",
                severity="warning",
                timeout=10,
                markup=False,
            )
        if self._keymap_problems:
            self.notices.append("\n".join(self._keymap_problems))
            self.notify(
                "\n".join(self._keymap_problems), title="Keymap", severity="warning", markup=False
            )

    def get_system_commands(self, screen) -> Any:
        # the palette's own theme switcher would list Textual's themes too; ours are
        # offered by ConsoleCommands as "theme: NAME"
        for cmd in super().get_system_commands(screen):
            if "theme" not in cmd.title.lower():
                yield cmd
        yield SystemCommand("app: quit", "leave the console", self.action_quit)


def make_app(
    store,
    settings,
    clock,
    *,
    drill=None,
    read_only: bool = False,
    theme: str | None = None,
    bell: bool = False,
    ticking: bool = True,
    themes: ThemeSet | None = None,
    opening=None,
) -> ConsoleApp:
    """The App over a given store, settings and clock (tests, benchmarks, run_app); or,
    with `store` None, over the store `opening` (console.cli.context.StoreOpening)."""
    link = StoreLink(store, settings, clock, drill=drill, read_only=read_only, opening=opening)
    return ConsoleApp(link, theme=theme, bell=bell, ticking=ticking, themes=themes)


def _drill_session(args, ctx):
    """A drill session when asked for (--drill) or when no provider is configured and no
    store was named; None otherwise, or when the drill room is not installed yet."""
    scenario = getattr(args, "drill", None)
    if scenario is None:
        if ctx.store_path is not None:
            return None  # live and drill never mix: a named store means live
        from console.providers.credentials import providers_with_credentials

        # DESIGN.md: the bare console runs a drill when no provider has credentials
        if providers_with_credentials(ctx.settings.raw.get("providers"), ctx.config_path):
            return None  # a provider means live
    # imported only for a drill: the live console does not start what it does not run
    try:
        from console.drill import DEFAULT_SCENARIO, start_drill
    except ImportError:
        if scenario:
            from console.cli.context import CliError

            raise CliError("drill mode is not available in this version", 2) from None
        return None
    try:
        if scenario is None:
            scenario = DEFAULT_SCENARIO
        return start_drill(scenario, speed=getattr(args, "drill_speed", 1) or 1)
    except Exception as exc:  # a bad scenario file: its message names the file and line
        from console.cli.context import CliError

        raise CliError(f"drill: {exc}", 2) from None


def _receiver(args, link, settings, clock, drill, read_only):
    """`--listen PORT`: alerts received on 127.0.0.1:PORT go into the live store."""
    port = getattr(args, "listen", None)
    if port is None:
        return None
    from console.cli.context import CliError

    if drill is not None:
        raise CliError(
            "--listen: a drill takes no alerts from outside (live and drill never mix)", 2
        )
    if read_only:
        raise CliError("--listen: the store is read-only; alerts could not be saved", 2)
    if not 0 <= port <= 65535:
        raise CliError(f"--listen: {port} is not a port (0-65535)", 2)
    from console.receiver import start_receiver

    try:
        return start_receiver(link, settings, clock, port)
    except OSError as exc:
        raise CliError(f"--listen: cannot listen on 127.0.0.1:{port}: {exc.strerror}", 1) from None
    except ValueError as exc:  # the intake rules in the config cannot be used
        raise CliError(f"--listen: {exc}", 2) from None


def run_app(args, ctx) -> int:
    """Run the console screen until the user quits; the exit status."""
    drill = _drill_session(args, ctx)
    opening = None
    if drill is not None:
        store, settings, clock = drill.store, drill.settings, drill.clock
        read_only = False
    else:
        settings = ctx.settings
        read_only = ctx.read_only_effective
        clock = ctx.clock
        if getattr(args, "listen", None) is None:
            # read in the background (tui_cmd may have started it already): the screen
            # paints meanwhile, and an unreadable store ends the console with its reason
            store, opening = None, ctx.start_opening(read_only)
        else:
            store = ctx.open_store(read_only=read_only)  # the receiver writes at once
    theme = getattr(args, "theme", None) or ctx.theme or settings.ui.get("theme")
    app = make_app(
        store,
        settings,
        clock,
        drill=drill,
        read_only=read_only,
        theme=theme,
        bell=bool(settings.ui.get("bell", True)),
        opening=opening,
    )
    if drill is None:
        from console.ui.live_background import LiveBackground

        # escalations fire and the outbox drains while the console is open
        app.background = LiveBackground(app.link, ctx.config_path)
    receiver = _receiver(args, app.link, settings, clock, drill, read_only)
    if receiver is not None:
        app.listening = receiver.url
    try:
        app.run()
    finally:
        if receiver is not None:
            receiver.close()
        if drill is not None:
            drill.close()
    if app.link.open_error is not None:
        raise app.link.open_error  # a CliError naming the store, as if it failed at once
    return int(app.return_code or 0)
