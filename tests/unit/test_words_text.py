import pendulum
import pytest

from console.domain.model import User
from console.domain.text import inert
from console.domain.words import WordError, parse_duration, parse_time, resolve_user

NOW = pendulum.datetime(2026, 11, 30, 9, 0, tz="UTC")


@pytest.mark.parametrize("word,seconds", [("90s", 90), ("30m", 1800), ("2h", 7200), ("1d", 86400)])
def test_durations(word, seconds):
    assert parse_duration(word) == seconds


@pytest.mark.parametrize(
    "word,expected",
    [
        ("now", NOW),
        ("+2h", NOW.add(hours=2)),
        ("-30m", NOW.subtract(minutes=30)),
        ("2026-12-01T02:00:00Z", pendulum.datetime(2026, 12, 1, 2, tz="UTC")),
        ("2026-12-01T02:00:00+01:00", pendulum.datetime(2026, 12, 1, 1, tz="UTC")),
    ],
)
def test_times(word, expected):
    assert parse_time(word, NOW) == expected


@pytest.mark.parametrize("word", ["tomorrow", "2026-12-01T02:00:00", "+2 hours", "12:00"])
def test_times_need_an_offset(word):
    with pytest.raises(WordError):
        parse_time(word, NOW)


def test_users_match_email_name_handle_and_refuse_ambiguity():
    people = [
        User("ada", "Ada Lovelace", "ada@x.io"),
        User("grace", "Grace Hopper", "gh@x.io"),
        User("greg", "Gregory House", ""),
    ]
    assert resolve_user("ADA@X.IO", people).handle == "ada"
    assert resolve_user("grace hopper", people).handle == "grace"
    assert resolve_user("hopper", people).handle == "grace"
    with pytest.raises(WordError, match="ambiguous.*grace.*greg"):
        resolve_user("gr", people)


@pytest.mark.parametrize(
    "raw",
    [
        "\x1b[31mred\x1b[0m",
        "\x1b]52;c;ZXZpbA==\x07",
        "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
        "\x9b31m",
        "a\u202eb",
        "line\nbreak\rcr",
        "\x07bell\x00nul",
    ],
)
def test_inert_removes_escapes_controls_and_bidi(raw):
    out = inert(raw)
    assert "\x1b" not in out and "\x9b" not in out and "\u202e" not in out
    assert all(ord(c) >= 32 for c in out)


def test_inert_bounds_length():
    assert len(inert("x" * 10_000, 100)) == 100
