"""The On-call pane: who is on call now and next for each schedule and policy, and who
the selected incident pages next and when."""

from __future__ import annotations

from rich.text import Text

from console.domain.text import inert
from console.ui.formatting import age, ago
from console.ui.line_view import Folded, LineView


def _names(handles, label) -> str:
    return ", ".join(inert(label(h), 40) for h in handles) or "nobody"


def _fold(head: Text, tail: Text, indent: str) -> Folded:
    """`head tail` on one line where it fits, else `tail` on its own indented line: the
    handoff time and the next person are what a narrow pane would otherwise cut."""
    whole = head.copy()
    whole.append(" ")
    whole.append_text(tail)
    second = Text(indent)
    second.append_text(tail)
    return Folded(whole, (head, second))


class OnCallPane(LineView):
    """Who is on call now and next; the selected incident's next pages."""

    HELP = (
        "On call: for each schedule and escalation policy, who is on call now, who is next "
        "and when they hand over (UTC). Below: who the selected incident pages next if "
        "nobody acknowledges."
    )
    COMPONENT_CLASSES = {"oncall--head", "oncall--muted", "oncall--who", "oncall--warn"}
    DEFAULT_CSS = """
    OnCallPane {
        scrollbar-size-vertical: 1;
        & > .oncall--head { text-style: bold; color: $primary; }
        & > .oncall--muted { color: $muted; }
        & > .oncall--who { color: $accent; }
        & > .oncall--warn { color: $warning; text-style: bold; }
    }
    """

    _styles: dict | None = None
    # the who-is-on-call lines, kept while their rows, problem and minute are the same: a
    # cursor move changes only the selected incident's lines below them
    _top: tuple[tuple, list] | None = None
    # the selected incident's lines by (incident, outlook, minute), while _top holds
    _below: dict[tuple, tuple] = {}

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._top = None
        self._below = {}

    def show(self, rows, outlook, incident, now, label, problem: str = "") -> None:
        """`rows`: OnCallRow list; `outlook`: the incident's pages (None: still being
        worked out); `label`: handle -> display name."""
        if self._styles is None:  # once per style change, not once per cursor move
            self._styles = {
                n: self.get_component_rich_style(n, partial=True) for n in self.COMPONENT_CLASSES
            }
        st = self._styles
        minute = int(now.timestamp() // 60)
        key = (id(rows), problem, minute)
        if self._top is not None and self._top[0] == key and self._top[1][0] is rows:
            lines = list(self._top[1][1])
        else:
            lines = self._who_is_on_call(rows, now, label, problem, st)
            self._top = (key, (rows, list(lines)))
            self._below = {}
        # the same Text objects for an incident shown again this minute: the pane then
        # lays out and draws only lines it has not drawn before
        below_key = (incident, id(outlook), minute)
        hit = self._below.get(below_key)
        if hit is None or hit[0] is not outlook:
            if len(self._below) > 1024:
                self._below.clear()
            hit = self._below[below_key] = (outlook, [])
            self._incident_lines(hit[1], outlook, incident, now, label, st)
        lines.extend(hit[1])
        self.set_lines(lines)

    def _who_is_on_call(self, rows, now, label, problem: str, st: dict) -> list:
        lines: list = []
        if problem:
            lines.append(Text(" " + inert(problem, 300), st["oncall--warn"]))
        if not rows and not problem:
            lines.append(
                Text(
                    " No schedules or escalation policies configured yet "
                    "([schedules] and [policies] in the config).",
                    st["oncall--muted"],
                )
            )
        for kind in ("schedule", "policy"):
            group = [r for r in rows if r.kind == kind]
            if not group:
                continue
            lines.append(
                Text(" Schedules" if kind == "schedule" else " Policies", st["oncall--head"])
            )
            for r in group:
                line = Text(no_wrap=True)
                line.append(f"  {inert(r.name, 40)}: ")
                line.append(_names(r.now, label), st["oncall--who"])
                if r.handoff_at is not None and r.next != r.now:
                    at = r.handoff_at.in_tz("UTC")
                    then = Text("→ ")
                    then.append(_names(r.next, label), st["oncall--who"])
                    then.append(
                        f" at {at.strftime('%a %H:%MZ')} ({ago(now.timestamp() - at.timestamp())})",
                        st["oncall--muted"],
                    )
                    lines.append(_fold(line, then, "    "))
                else:
                    lines.append(line)
        return lines

    def _incident_lines(self, lines: list, outlook, incident, now, label, st: dict) -> None:
        if incident is not None:
            lines.append(Text(f" {incident} pages next", st["oncall--head"]))
            if outlook is None:
                lines.append(Text("  …", st["oncall--muted"]))
            elif not outlook:
                lines.append(
                    Text(
                        "  nobody more (acknowledged, resolved, or no policy)", st["oncall--muted"]
                    )
                )
            for page in outlook or ():
                at = page.at.in_tz("UTC")
                line = Text(no_wrap=True)
                line.append(f"  L{page.level} ")
                line.append(_names(page.users, label), st["oncall--who"])
                late = now.timestamp() - at.timestamp()
                when = f"overdue {age(late)}" if late > 0 else ago(late)
                then = Text(f"at {at.strftime('%H:%M:%SZ')} ({when})", st["oncall--muted"])
                lines.append(_fold(line, then, "     "))
