"""Make untrusted text inert: no escape sequences, no control or bidi characters, bounded.

Alert summaries, notes and names come from monitoring systems and other people. Markup
is a rendering concern (the UI renders these strings as plain Text, never as markup);
this module removes what must never reach a terminal at all.
"""

from __future__ import annotations

import re

# ESC-introduced sequences (CSI, OSC incl. 52 clipboard and 8 links, DCS, APC, PM, SOS),
# then any remaining C0/C1 control and DEL.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[\]PX^_].*?(?:\x07|\x1b\\|\x9c|$)"  # OSC / DCS / SOS / PM / APC, to their terminator
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|[\x9b\x9d\x90\x98\x9e\x9f].*?(?:\x07|\x9c|$)",  # 8-bit CSI/OSC/DCS/... introducers
    re.DOTALL,
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# bidi embeddings/overrides/isolates, which can make text read backwards
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def inert(text: object, limit: int = 500) -> str:
    """Plain, single-line, bounded text safe to put on a terminal."""
    s = str(text)
    s = _ESCAPES.sub("", s)
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    s = _CONTROLS.sub("", s)
    s = _BIDI.sub("", s)
    if len(s) > limit:
        s = s[: max(0, limit - 1)] + "…"
    return s
