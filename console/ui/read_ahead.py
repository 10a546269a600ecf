"""Which stored timelines to read ahead of the cursor, so a move finds its own in memory.

A store keeps most timelines on disk until first shown (console/store/coldlog.py), and
the UI thread never reads the disk. A worker reads them instead, ahead of need: the
timelines of the rows on screen and of a screen's worth above and below the cursor. A
read starts only when some row of that band is not read yet, and then reaches twice as
far, so the moves of the next screenful start none. Pure: rows, positions and a test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

# how many screens beyond the cursor a read reaches, once one is needed
REACH = 2


def band(count: int, cursor: int, top: int, height: int, screens: int = 1) -> range:
    """The row indices on screen (`top`, `height` rows) and `screens` screens' worth above
    and below `cursor`, within `count` rows."""
    height = max(height, 1)
    lo = max(0, min(top, cursor - screens * height))
    hi = min(count, max(top + height, cursor + screens * height + 1))
    return range(lo, hi)


def outward(cursor: int, rows: range) -> list[int]:
    """The indices of `rows` nearest `cursor` first: the cursor, one below, one above..."""
    out = [cursor] if cursor in rows else []
    for step in range(1, max(cursor - rows.start, rows.stop - cursor) + 1):
        if cursor + step in rows:
            out.append(cursor + step)
        if cursor - step in rows:
            out.append(cursor - step)
    return out


def to_read(
    rows: Sequence[Any], cursor: int, top: int, height: int, unread: Callable[[str], bool]
) -> list[str]:
    """The incident ids whose timelines a worker should read, the cursor's first and then
    outward; [] while every row of the band (`band(..., screens=1)`) is read already.
    `rows` have an `id`; `unread(id)` must not read anything itself."""
    if not rows:
        return []
    wanted = band(len(rows), cursor, top, height)
    # asked at every move: one pass of C-level calls over the band's ids
    if not any(map(unread, [r.id for r in rows[wanted.start : wanted.stop]])):
        return []
    reach = band(len(rows), cursor, top, height, REACH)
    return [rows[i].id for i in outward(cursor, reach) if unread(rows[i].id)]
