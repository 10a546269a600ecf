"""Untrusted text on its way out: no escapes, no control codes, bounded."""

from hypothesis import given
from hypothesis import strategies as st

from console.providers.outbound_text import plain


def test_escape_sequences_and_controls_are_removed():
    assert plain("\x1b[31mred\x1b[0m alert\x07\x00", 100) == "red alert"
    assert plain("a\x9bb", 100) == "ab"


def test_newlines_fold_in_one_line_mode_and_stay_otherwise():
    assert plain("a\r\nb\n\tc", 100, one_line=True) == "a b c"
    assert plain("a\r\nb\rc", 100) == "a\nb\nc"


def test_long_text_is_cut_with_an_ellipsis():
    out = plain("x" * 50, 10)
    assert out == "x" * 9 + "…" and len(out) == 10


@given(st.text(), st.integers(min_value=1, max_value=300), st.booleans())
def test_never_longer_than_the_limit_and_never_a_control_code(text, limit, one_line):
    out = plain(text, limit, one_line=one_line)
    assert len(out) <= limit
    assert not any(ord(c) < 32 and c not in "\n\t" for c in out)
    assert "\x1b" not in out
    if one_line:
        assert "\n" not in out


def test_osc_sequences_go_whole():
    assert plain("\x1b]0;pwned\x07ok \x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\", 100) == "ok link"
