"""Base URLs: https except loopback, env overrides, no credentials in URLs."""

import pytest

from console.providers.endpoints import EndpointError, base_url, check_url, reaches_network


def test_defaults_config_and_environment_in_that_order():
    assert base_url("pagerduty", {}, {}) == "https://api.pagerduty.com"
    cfg = {"pagerduty": {"api_url": "https://pd.example.com/"}}
    assert base_url("pagerduty", cfg, {}) == "https://pd.example.com"
    env = {"PAGERDUTY_API_URL": "http://127.0.0.1:8080"}
    assert base_url("pagerduty", cfg, env) == "http://127.0.0.1:8080"
    assert (
        base_url("statuspage", {}, {"STATUSPAGE_API_URL": "http://localhost:9/v1"})
        == "http://localhost:9/v1"
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1",
        "http://127.9.9.9",
        "http://[::1]:80",
        "http://localhost",
        "https://api.pagerduty.com",
    ],
)
def test_allowed(url):
    assert check_url(url, "here") == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://api.pagerduty.com", "only on loopback"),
        ("http://10.0.0.1", "only on loopback"),
        ("ftp://api.pagerduty.com", "https://"),
        ("https://user:pass@api.pagerduty.com", "credentials do not belong"),
        ("not a url", "https://"),
    ],
)
def test_refused_with_the_source_named(url, why):
    with pytest.raises(EndpointError, match=why) as info:
        check_url(url, "env PAGERDUTY_API_URL")
    assert str(info.value).startswith("env PAGERDUTY_API_URL:")
    assert "pass" not in str(info.value)


def test_reaches_network():
    assert reaches_network("https://api.pagerduty.com")
    assert not reaches_network("http://127.0.0.1:5000")
    assert not reaches_network("https://pagerduty.fake.invalid")
