"""Credentials: environment over an owner-only file; a secret never prints itself."""

import os
import pickle

import pytest

from console.providers.credentials import CredentialsError, Secret, load_credentials

TOKEN = "u+CANARYtoken0123456789wxyz"


def test_a_secret_shows_at_most_its_last_four_characters():
    s = Secret(TOKEN)
    for shown in (str(s), repr(s), f"{s}", s.masked, f"{[s]}"):
        assert TOKEN not in shown
        assert TOKEN[:-4] not in shown
    assert str(s).endswith("wxyz")
    assert Secret("short").masked == "…"
    with pytest.raises(TypeError):
        pickle.dumps(s)


def test_environment_with_default_and_renamed_variables(tmp_path):
    env = {
        "PAGERDUTY_API_TOKEN": TOKEN,
        "MY_OG": "og-key-0123456789",
        "PAGERDUTY_FROM": "ada@example.com",
    }
    creds = load_credentials({"opsgenie": {"token_env": "MY_OG"}}, tmp_path / "config.toml", env)
    assert creds.secret("pagerduty", "api_token").reveal() == TOKEN
    assert creds.get("pagerduty", "from") == "ada@example.com"
    assert creds.secret("opsgenie", "api_key").reveal() == "og-key-0123456789"
    assert creds.get("statuspage", "api_key") is None
    described = "\n".join(creds.describe())
    assert TOKEN not in described and "wxyz" in described and "not set" in described


def write(path, text, mode):
    path.write_text(text)
    os.chmod(path, mode)


def test_file_beside_the_config_is_read_when_private(tmp_path):
    write(
        tmp_path / "credentials.toml",
        f'[statuspage]\napi_key = "{TOKEN}"\npage_id = "pg1"\n',
        0o600,
    )
    creds = load_credentials({}, tmp_path / "config.toml", {})
    assert creds.secret("statuspage", "api_key").reveal() == TOKEN
    assert creds.get("statuspage", "page_id") == "pg1"
    # the environment wins, field by field
    creds = load_credentials({}, tmp_path / "config.toml", {"STATUSPAGE_PAGE_ID": "pg2"})
    assert creds.get("statuspage", "page_id") == "pg2"
    assert creds.secret("statuspage", "api_key").reveal() == TOKEN


def test_page_id_from_the_config_when_nowhere_else():
    creds = load_credentials({"statuspage": {"page_id": "abc123"}}, None, {})
    assert creds.get("statuspage", "page_id") == "abc123"


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_a_looser_file_is_refused_by_name_without_its_contents(tmp_path, mode):
    path = tmp_path / "credentials.toml"
    write(path, f'[pagerduty]\napi_token = "{TOKEN}"\n', mode)
    with pytest.raises(CredentialsError) as info:
        load_credentials({}, tmp_path / "config.toml", {})
    message = str(info.value)
    assert str(path) in message and "chmod 600" in message
    assert TOKEN not in message


def test_bad_files_are_named_and_never_echo_values(tmp_path):
    path = tmp_path / "credentials.toml"
    write(path, f'[pagerduty]\napi_tokn = "{TOKEN}"\n', 0o600)
    with pytest.raises(CredentialsError, match="unknown key 'api_tokn'") as info:
        load_credentials({}, tmp_path / "config.toml", {})
    assert TOKEN not in str(info.value)
    write(path, f'[pagerduty\napi_token = "{TOKEN}"\n', 0o600)
    with pytest.raises(CredentialsError, match="not valid TOML") as info:
        load_credentials({}, tmp_path / "config.toml", {})
    assert TOKEN not in str(info.value)
