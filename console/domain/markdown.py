"""Untrusted text made safe to put into a Markdown document.

Text from alerts and people is first made inert (console/domain/text.py: no escape
sequences, no control or bidi characters, one line, bounded), then every character that
Markdown (CommonMark and GitHub's tables) gives a meaning to is backslash-escaped, so a
title such as ``**URGENT** <img src=x> | drop`` reads literally and cannot open a link,
an image, raw HTML or a new table cell.
"""

from __future__ import annotations

import re

from console.domain.text import inert

# ASCII punctuation that can start or end Markdown syntax. CommonMark lets any ASCII
# punctuation be backslash-escaped, so escaping a few too many is harmless.
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&\"$])")


def md_text(text: object, limit: int = 500) -> str:
    """Untrusted text as literal Markdown inline text (also safe inside a table cell)."""
    return _SPECIAL.sub(r"\\\1", inert(text, limit))


def md_code(text: object, limit: int = 200) -> str:
    """Untrusted text as an inline code span (for file names and ids): backticks removed."""
    return "`" + inert(text, limit).replace("`", "'") + "`"
