"""A modal form for a key (declare, note, severity, component, update, maintenance, task).

Enter on the last field (or ctrl+s anywhere) submits; escape cancels. The result is the
field values, or None.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static
from textual.widgets._select import SelectOverlay

from console.ui.forms import Form, FormError


class FormSelect(Select):
    """A Select for a form: enter opens its list, and once the list has closed on a
    choice, enter moves on like the other fields (the hint says "enter: next / submit").
    Down, up and space still open the list again."""

    BINDINGS = [Binding("enter", "enter", "Open or next", show=False)]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = False  # the list was open and has closed back onto this field

    def _watch_expanded(self, expanded: bool) -> None:
        super()._watch_expanded(expanded)
        if not expanded:
            self.chosen = True
        screen = self.screen
        if isinstance(screen, FormScreen):
            screen.call_after_refresh(screen.fit_list, self)

    def on_blur(self) -> None:
        # tabbing away and back starts over: enter opens the list again
        if not self.expanded:
            self.chosen = False

    def action_enter(self) -> None:
        if self.chosen and not self.expanded:
            self.chosen = False
            screen = self.screen
            if isinstance(screen, FormScreen):
                screen.advance(self)
                return
        self.action_show_overlay()


class FormScreen(ModalScreen[dict[str, str] | None]):
    """Shows `form`; dismisses with the values (validated) or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "submit", "Submit", id="form.submit"),
    ]

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > #form {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; border-title-style: bold; background: $surface; padding: 0 1;
    }
    FormScreen Label { margin-top: 1; color: $text-muted; }
    FormScreen Input, FormScreen Select { margin: 0 0; }
    FormScreen #form-error { color: $error; height: auto; }
    FormScreen #form-help { color: $text-muted; }
    """

    def __init__(self, form: Form) -> None:
        super().__init__()
        self.form = form

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as box:
            box.border_title = self.form.title
            for f in self.form.fields:
                yield Label(f.label + ("" if f.required else " (optional)"))
                if f.choices:
                    values = [v for _, v in f.choices]
                    yield FormSelect(
                        list(f.choices),
                        id=f"field-{f.name}",
                        allow_blank=not f.required,
                        compact=True,
                        value=f.default
                        if f.default in values
                        else values[0]
                        if f.required
                        else Select.NULL,
                    )
                else:
                    field = Input(
                        value=f.default,
                        placeholder=f.placeholder,
                        id=f"field-{f.name}",
                        compact=True,
                    )
                    field.cursor_blink = getattr(self.app, "ticking", True)  # still snapshots
                    yield field
            yield Static("", id="form-error")
            yield Static("enter: next / submit   ctrl+s: submit   esc: cancel", id="form-help")

    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for f in self.form.fields:
            w = self.query_one(f"#field-{f.name}")
            if isinstance(w, Select):
                out[f.name] = "" if w.value is Select.NULL else str(w.value)
            else:
                out[f.name] = w.value  # type: ignore[attr-defined]
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.advance(event.input)

    def advance(self, field) -> None:
        """Enter on `field`: the next field, or submit from the last one."""
        inputs = [w for w in self.query("Input, Select") if w.id and w.id.startswith("field-")]
        if field is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def fit_list(self, select: Select) -> None:
        """Grow the dialog while `select`'s list is open, so the list stays inside the
        border instead of drawing over it and the screen behind."""
        box = self.query_one("#form")
        extra = 0
        if select.expanded:
            overlay = select.query_one(SelectOverlay)
            extra = max(0, overlay.region.bottom - (box.region.bottom - 1))
        if box.styles.padding.bottom != extra:
            box.styles.padding = (0, 1, extra, 1)

    def action_submit(self) -> None:
        values = self.values()
        try:
            self.form.line(values, "INC-0")  # validation only; the screen builds the real one
        except FormError as exc:
            self.query_one("#form-error", Static).update(str(exc))
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
