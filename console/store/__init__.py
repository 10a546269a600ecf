"""The durable store (journal + TinyDB snapshots + a per-write lock)."""

from console.store.store import Batch, Store, StoreError

__all__ = ["Batch", "Store", "StoreError"]
