"""The sync engine: drains the store's outbox to the providers, polls their news back.

- `engine.SyncEngine`: the drain/poll loop, exactly once in effect (see its docstring);
- `reconcile`: news and delivery outcomes as timeline events (pure);
- `status`: each provider's state in a few words for the status bar (pure);
- `wiring`: adapters for a live store (from config and credentials) or a drill (fakes).
"""
