"""Garbage collection held off while the console starts, then frozen out of what stays.

Starting makes a few hundred thousand objects that live as long as the process: Textual's
widgets and styles, and at 10,000 incidents the store's incidents and timelines. The
cyclic collector would walk all of them again and again while they are being made (about
a second of a 10k start, measured with gc.callbacks), and then again on every full
collection while the user moves the cursor. So the entry point holds collection off, and
once the first screen is painted what exists is frozen (`gc.freeze`: never walked again;
still freed by reference counting) and collection resumes for what comes after.
"""

from __future__ import annotations

import gc

_held = False


def hold() -> None:
    """Stop cyclic collection until `release` (nothing happens if it is already off)."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release(*, freeze: bool = False) -> None:
    """Resume collection if `hold` stopped it; with `freeze`, first move every object
    alive now out of reach of later collections (the long-lived start-up objects)."""
    global _held
    if not _held:
        return
    _held = False
    if freeze:
        gc.freeze()
    gc.enable()


def held() -> bool:
    """Whether collection is being held off by `hold`."""
    return _held
