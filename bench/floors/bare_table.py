"""The floor for a cursor move: a bare Textual app with a 100-row DataTable."""

from textual.app import App, ComposeResult
from textual.widgets import DataTable


class BareTable(App):
    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("ID", "SEV", "STATUS", "TITLE", "SERVICE", "AGE")
        for i in range(100):
            table.add_row(
                f"INC-{i + 1}", "SEV2", "TRIG", f"Incident number {i + 1}", "payments", "5m"
            )
        table.focus()


if __name__ == "__main__":
    BareTable().run()
