"""The lines of the rows next to the cursor, made while the user reads the screen.

A move to an incident shown for the first time this minute builds its timeline's lines
and draws them (about 0.6 ms for five events, 20 ms for a storm's thousand) on top of the
move's own frame. Once the cursor has rested a little, the screen prepares the rows
nearest it, one small step per turn of the event loop, so that a key arriving meanwhile
waits for one step at most, and the next move finds its lines made. Not at once after a
move: the frame's bytes go out from Textual's writer thread, which needs the interpreter
while the UI thread would be busy preparing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

from console.ui.read_ahead import outward

AFTER_SECONDS = 0.05  # the cursor at rest this long: its neighbours are prepared
REACH = 4  # rows each side of the cursor
_DONE = object()


def neighbours(count: int, cursor: int, reach: int = REACH) -> list[int]:
    """The row indices within `reach` of `cursor` (not the cursor), nearest first."""
    if not 0 <= cursor < count:
        return []
    return outward(cursor, range(max(0, cursor - reach), min(count, cursor + reach + 1)))[1:]


class PrepareAhead:
    """Runs `work(index)` (an iterator of small steps) for each neighbour of the cursor,
    after the cursor rests; a move starts it again from the new cursor."""

    def __init__(
        self,
        call_next: Callable,
        position: Callable[[], tuple[int, int]],
        work: Callable[[int], Iterator[None]],
    ) -> None:
        # steps run through `call_next` (Textual reports their errors as any handler's)
        self._call_next = call_next
        self._position = position  # () -> (row count, cursor)
        self._work = work
        self._round = 0
        self._handle: asyncio.TimerHandle | None = None
        self._steps: Iterator[None] | None = None

    def after_move(self) -> None:
        """The cursor moved: what was being prepared is dropped; start again later."""
        self.cancel()
        self._handle = asyncio.get_running_loop().call_later(
            AFTER_SECONDS, self._call_next, self._begin, self._round
        )

    def cancel(self) -> None:
        self._round += 1
        self._steps = None
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _begin(self, round_: int) -> None:
        if round_ != self._round:
            return
        self._handle = None
        count, cursor = self._position()
        self._steps = (step for i in neighbours(count, cursor) for step in self._work(i))
        self._step(round_)

    def _step(self, round_: int) -> None:
        if round_ != self._round or self._steps is None:
            return
        if next(self._steps, _DONE) is _DONE:
            self._steps = None
            return
        # through the event loop, not straight to the next step: a key waiting in the
        # app's queue goes first
        asyncio.get_running_loop().call_soon(self._call_next, self._step, round_)
