"""The Status pane: status-page components, the open status-page incidents and their last
update, and maintenance windows with when they end."""

from __future__ import annotations

from rich.text import Text

from console.domain.text import inert
from console.ui.formatting import COMPONENT_CLASS, ago, component_label
from console.ui.line_view import LineView, Squeezed


class StatusPane(LineView):
    """Components, public incidents, maintenance windows."""

    HELP = (
        "Status: each status-page component and its status (c sets one), the open "
        "status-page incidents with their last update (u posts one; ⚠ marks one past "
        "[status] stale_minutes), and maintenance windows (m schedules one)."
    )
    COMPONENT_CLASSES = {
        "status--head",
        "status--muted",
        "status--ok",
        "status--degraded",
        "status--partial",
        "status--major",
        "status--maintenance",
        "status--warn",
    }
    DEFAULT_CSS = """
    StatusPane {
        scrollbar-size-vertical: 1;
        & > .status--head { text-style: bold; color: $primary; }
        & > .status--muted { color: $muted; }
        & > .status--ok { color: $comp-ok; }
        & > .status--degraded { color: $comp-degraded; }
        & > .status--partial { color: $comp-partial; text-style: bold; }
        & > .status--major { color: $comp-major; text-style: bold; }
        & > .status--maintenance { color: $comp-maintenance; }
        & > .status--warn { color: $warning; text-style: bold; }
    }
    """

    def show(self, snapshot, now, stale_minutes: int) -> None:
        st = {n: self.get_component_rich_style(n, partial=True) for n in self.COMPONENT_CLASSES}
        now_ts = now.timestamp()
        lines: list[Text | Squeezed] = [Text(" Components", st["status--head"])]
        if not snapshot.components:
            lines.append(
                Text(
                    "  No status components configured yet ([status] components in the config).",
                    st["status--muted"],
                )
            )
        for comp in snapshot.components:
            line = Text(no_wrap=True)
            line.append(f"  {comp.name}: ")
            line.append(
                component_label(comp.status),
                st[f"status--{COMPONENT_CLASS.get(comp.status, 'muted')}"],
            )
            if comp.updated_at is not None:
                line.append(f"  {ago(now_ts - comp.updated_at.timestamp())}", st["status--muted"])
            lines.append(line)
        public = snapshot.public_pages()
        lines.append(Text(" Status page", st["status--head"]))
        if not public:
            lines.append(Text("  No open status-page incident.", st["status--muted"]))
        for r in public:
            head = Text(no_wrap=True)
            stale = r.page_stale(now_ts, stale_minutes)
            head.append("  ⚠ " if stale else "  ", st["status--warn"])
            head.append(f"{r.id} {r.page_status}: ")
            last = r.page_updated_ts or r.created_ts
            tail = Text(
                f"  last update {ago(now_ts - last)}",
                st["status--warn" if stale else "status--muted"],
            )
            # a narrow pane cuts the title, never how long the page has been silent
            lines.append(Squeezed(head, Text(r.title), tail, min_middle=20))
        lines.append(Text(" Maintenance", st["status--head"]))
        from console.domain.intake.maintenance import window_statuses

        statuses = window_statuses(list(snapshot.windows), now)
        if not statuses:
            lines.append(Text("  No maintenance window active or within 24h.", st["status--muted"]))
        for ws in statuses:
            w = ws.window
            line = Text(no_wrap=True)
            if ws.state == "upcoming":
                at = w.start.in_tz("UTC")
                line.append(
                    f"  {inert(w.service, 30)}: starts {at.strftime('%H:%MZ')} ({ago(now_ts - at.timestamp())})"
                )
            else:
                at = w.end.in_tz("UTC")
                style = st["status--warn"] if ws.warn else st["status--maintenance"]
                line.append(f"  {inert(w.service, 30)}: ", Text().style)
                line.append(
                    f"⚒ active, ends {at.strftime('%H:%MZ')} ({ago(now_ts - at.timestamp())})",
                    style,
                )
            if w.description:
                line.append(f"  {inert(w.description, 80)}", st["status--muted"])
            lines.append(line)
        self.set_lines(lines)
