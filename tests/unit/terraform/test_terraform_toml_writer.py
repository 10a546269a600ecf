"""The small TOML writer: whatever it writes, tomllib reads back as the same dict."""

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.terraform import import_terraform
from console.terraform.toml_writer import dumps

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "terraform"


def test_the_imported_sample_round_trips():
    config = import_terraform([SAMPLE]).config
    text = dumps(config, comment="imported\nfrom terraform")
    assert text.startswith("# imported\n# from terraform\n")
    assert tomllib.loads(text) == config


def test_layout_follows_the_config_reference():
    doc = {
        "services": {
            "payments": {"name": "p", "rules": [{"condition": "x", "actions": {"priority": "P3"}}]}
        },
        "schedules": {
            "payments-primary": {
                "layers": [
                    {
                        "name": "Weekly",
                        "users": ["ada"],
                        "restrictions": [{"type": "daily_restriction"}],
                    }
                ]
            }
        },
        "policies": {"p": {"rules": [{"targets": [{"type": "user", "id": "ada"}]}]}},
        "maintenance": [{"service": "db"}],
    }
    text = dumps(doc)
    assert "[services.payments]\n" in text
    assert '[[services.payments.rules]]\ncondition = "x"\nactions = { priority = "P3" }' in text
    assert "[[schedules.payments-primary.layers.restrictions]]" in text
    assert 'targets = [{ type = "user", id = "ada" }]' in text
    assert "[[maintenance]]" in text
    assert "[services]" not in text  # tables holding only tables need no header
    assert tomllib.loads(text) == doc


def test_strings_are_escaped():
    doc = {"a": {'we"ird key': 'quote " backslash \\ newline \n bell \x07 é'}}
    assert tomllib.loads(dumps(doc)) == doc


def test_null_is_refused_rather_than_written_wrong():
    with pytest.raises(ValueError, match="no null"):
        dumps({"a": None})


_keys = st.text(min_size=1, max_size=8)
_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_values = st.recursive(
    _scalars | st.lists(_scalars, max_size=3),
    lambda inner: (
        st.dictionaries(_keys, inner, max_size=3)
        | st.lists(st.dictionaries(_keys, inner, min_size=1, max_size=3), min_size=1, max_size=2)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=4))
def test_any_document_round_trips(doc):
    assert tomllib.loads(dumps(doc)) == doc
