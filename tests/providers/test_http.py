"""ProviderHttp against a small fake, served on 127.0.0.1 and in-process: faults, redirects,
read-only and secrets."""

import pytest

from console.domain.clock import FixedClock
from console.providers.credentials import Secret
from console.providers.fakes import FakeProvider, FakeResponse, FakeTransport, Fault, route, serve
from console.providers.http import CallFailed, ProviderHttp, ReadOnlyRefused, SecretAuth

TOKEN = "CANARY-token-0123456789-abcd"


class CounterFake(FakeProvider):
    """A provider with one counter: GET reads it, POST adds one."""

    name = "counter"
    base_path = "/api"

    def __init__(self, clock):
        super().__init__(clock)
        self.count = 0

    def authorize(self, req):
        if req.headers.get("authorization") != f"Token token={TOKEN}":
            return FakeResponse.json(401, {"error": {"message": "Unauthorized", "code": 2006}})
        return None

    @route("GET", r"/count")
    def get_count(self, req):
        return FakeResponse.json(200, {"count": self.count})

    @route("POST", r"/count")
    def add(self, req):
        self.count += 1
        return FakeResponse.json(201, {"count": self.count})

    @route("GET", r"/echo")
    def echo(self, req):
        return FakeResponse.json(
            400, {"error": {"message": f"bad token {TOKEN}\x1b[31m", "code": 2001}}
        )

    @route("GET", r"/moved")
    def moved(self, req):
        return FakeResponse(302, b"", {"location": "/api/count"})

    @route("GET", r"/away")
    def away(self, req):
        return FakeResponse(302, b"", {"location": "https://elsewhere.example.com/steal"})


@pytest.fixture
def clock():
    return FixedClock("2026-01-01T00:00:00Z")


@pytest.fixture(params=["served", "in-process"])
def setup(request, clock):
    fake = CounterFake(clock)
    if request.param == "served":
        served = serve(fake)
        url, transport = served.url, None
    else:
        served = None
        url, transport = "https://counter.fake.invalid/api", FakeTransport(fake)

    def make(**kw):
        kw.setdefault("timeout", 0.3)
        return ProviderHttp(
            "pagerduty",
            url,
            auth=SecretAuth(Secret(TOKEN), "Token token={}"),
            transport=transport,
            secrets=[Secret(TOKEN)],
            **kw,
        )

    yield fake, make
    if served:
        served.close()


@pytest.fixture
def ok_setup(setup):
    return setup


def test_a_plain_round_trip(setup):
    fake, make = setup
    http = make()
    http.request("POST", "/count")
    assert http.request("GET", "/count").json() == {"count": 1}
    assert fake.requests[0].headers["authorization"] == f"Token token={TOKEN}"


def test_wrong_credentials_pause_and_never_show_the_token(setup):
    fake, make = setup
    http = make()
    http._client.auth = SecretAuth(Secret("WRONG-" + TOKEN), "Token token={}")
    with pytest.raises(CallFailed) as info:
        http.request("GET", "/count")
    assert info.value.decision.action == "pause"
    assert TOKEN not in str(info.value) and TOKEN not in repr(http._client.auth)


@pytest.mark.parametrize(
    ("fault", "action", "wait"),
    [
        (Fault.rate_limited(retry_after=3), "wait", 3.0),
        (Fault.rate_limited(), "wait", None),
        (Fault("status", status=420), "final", None),  # for PagerDuty 420 is not a rate limit
        (Fault.server_error(500), "retry", None),
        (Fault.server_error(502), "retry", None),
        (Fault.server_error(503), "retry", None),
    ],
)
def test_injected_status_faults_are_decided_and_not_applied(ok_setup, fault, action, wait):
    fake, make = ok_setup
    http = make()
    fake.inject(fault)
    with pytest.raises(CallFailed) as info:
        http.request("POST", "/count")
    assert info.value.decision.action == action
    assert info.value.decision.wait_seconds == wait
    assert not info.value.ambiguous
    assert fake.count == 0
    http.request("POST", "/count")  # the fault is used up
    assert fake.count == 1


def test_slow_answer_past_the_timeout_is_ambiguous_for_a_write(ok_setup):
    fake, make = ok_setup
    http = make(timeout=0.2)
    fake.inject(Fault("slow", delay=0.6, apply=True))
    with pytest.raises(CallFailed) as info:
        http.request("POST", "/count")
    assert info.value.decision.action == "retry"
    assert info.value.ambiguous
    assert fake.count == 1  # applied, though the client never heard


def test_dropped_connection_after_apply_is_ambiguous(ok_setup):
    fake, make = ok_setup
    http = make()
    fake.inject(Fault("drop", apply=True))
    with pytest.raises(CallFailed) as info:
        http.request("POST", "/count")
    assert info.value.ambiguous and info.value.decision.action == "retry"
    assert fake.count == 1
    assert http.request("GET", "/count").json() == {"count": 1}


def test_dropped_read_is_not_ambiguous(ok_setup):
    fake, make = ok_setup
    http = make()
    fake.inject(Fault("drop"))
    with pytest.raises(CallFailed) as info:
        http.request("GET", "/count")
    assert not info.value.ambiguous


def test_read_only_sends_no_write(ok_setup):
    fake, make = ok_setup
    http = make(read_only=True)
    with pytest.raises(ReadOnlyRefused):
        http.request("POST", "/count")
    assert fake.writes() == []
    assert http.request("GET", "/count").json() == {"count": 0}


def test_same_origin_redirect_followed_cross_host_refused(ok_setup):
    fake, make = ok_setup
    http = make()
    assert http.request("GET", "/moved").json() == {"count": 0}
    with pytest.raises(CallFailed) as info:
        http.request("GET", "/away")
    assert info.value.decision.action == "final"
    assert all("steal" not in r.path for r in fake.requests)


def test_error_details_are_cleaned_and_scrubbed(ok_setup):
    fake, make = ok_setup
    http = make()
    with pytest.raises(CallFailed) as info:
        http.request("GET", "/echo")
    assert info.value.error_code == 2001
    assert TOKEN not in str(info.value)
    assert "\x1b" not in str(info.value)
    assert "abcd" in str(info.value)


def test_connection_refused_is_offline_not_ambiguous():
    http = ProviderHttp("pagerduty", "http://127.0.0.1:9", timeout=0.5)
    with pytest.raises(CallFailed) as info:
        http.request("POST", "/x")
    assert info.value.offline and not info.value.ambiguous
    assert info.value.decision.action == "retry"


def test_plain_http_off_loopback_is_refused():
    from console.providers.endpoints import EndpointError

    with pytest.raises(EndpointError):
        ProviderHttp("pagerduty", "http://api.pagerduty.com")


def test_in_process_clients_never_reach_the_network(clock):
    fake = CounterFake(clock)
    assert not ProviderHttp(
        "pagerduty", "https://api.pagerduty.com", transport=FakeTransport(fake)
    ).reaches_network
    assert ProviderHttp("pagerduty", "https://api.pagerduty.com").reaches_network
    assert not ProviderHttp("pagerduty", "http://127.0.0.1:1").reaches_network
