"""Text that leaves the console for a provider: plain, bounded, without control codes.

Titles, notes and update bodies come from alerts and people, so they are untrusted: a
terminal escape sequence or a stray control character must not travel on to a status
page, an alert or a chat channel, and nothing may exceed the field's documented limit.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and the C1 block (which includes CSI 0x9b).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# ANSI escape sequences: OSC (ESC ] ... BEL or ESC backslash, e.g. a window title), CSI
# (ESC [ ... final byte), or ESC and one character.
_ANSI = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
_SPACES = re.compile(r"[ \t]+")


def plain(text: object, limit: int, *, one_line: bool = False) -> str:
    """`text` without escape sequences or control codes, at most `limit` characters.

    A cut text ends with an ellipsis so a reader knows it was shortened. `one_line`
    folds newlines into spaces (titles, alert messages).
    """
    s = "" if text is None else str(text)
    s = s.replace("\r\n", "\n").replace("\r", "\n")
    s = _CONTROL.sub("", _ANSI.sub("", s))
    s = _SPACES.sub(" ", s.replace("\n", " ")).strip() if one_line else s.strip()
    if len(s) > limit:
        s = s[: max(0, limit - 1)].rstrip() + "…"
    return s
