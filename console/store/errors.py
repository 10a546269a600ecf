"""The store's one exception type (its own module so every part of the store can raise it)."""


class StoreError(Exception):
    """The store cannot be used as asked; the message names the file."""
