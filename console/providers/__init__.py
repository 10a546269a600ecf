"""Provider adapters over httpx behind one small Protocol, and the fakes they are tested with.

Read console/providers/README.md first. The pieces:

- `protocol`: the `Provider` interface, `Delivery`, `DeliveryContext`, `RemoteNews`.
- `decisions`: what to do after every HTTP status 100-599 of every provider; backoff.
- `ratelimit`: per-credential token buckets that wait through the Clock.
- `credentials`: `Secret`, credentials from the environment or `credentials.toml`.
- `endpoints`: base URLs and their rules (https except loopback, env overrides).
- `http`: `ProviderHttp`, one reused client per endpoint; read-only enforced there.
- `fakes`: the fake-provider base, in-process (`FakeTransport`) or served on loopback.
"""
