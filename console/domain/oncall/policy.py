"""Escalation policies: ordered rules of targets, repeated `num_loops` more times."""

from __future__ import annotations

from dataclasses import dataclass

TARGET_KINDS = ("user", "schedule")


@dataclass(frozen=True)
class Target:
    """A rule's target: a user handle or a schedule key from the config."""

    kind: str  # "user" | "schedule"
    id: str

    @property
    def label(self) -> str:
        return f"{self.kind} {self.id}"


@dataclass(frozen=True)
class Rule:
    """One level: notify the targets, wait `delay_minutes` unacknowledged, move on."""

    delay_minutes: int
    targets: tuple[Target, ...]

    @property
    def delay_seconds(self) -> int:
        return self.delay_minutes * 60


@dataclass(frozen=True)
class Policy:
    """`num_loops` is how many times the rules repeat after the last one (2: three passes)."""

    key: str
    name: str
    num_loops: int
    rules: tuple[Rule, ...]

    @property
    def passes(self) -> int:
        return self.num_loops + 1

    def schedules(self) -> set[str]:
        """The schedule keys this policy relies on."""
        return {t.id for r in self.rules for t in r.targets if t.kind == "schedule"}

    def step_after(self, level: int, loop: int) -> tuple[int, int] | None:
        """The (level, loop) that follows (level, loop) if nobody acknowledges; None: it stops."""
        if level < len(self.rules):
            return level + 1, loop
        if loop < self.passes:
            return 1, loop + 1
        return None
