"""Pure domain rules: no Textual, httpx or TinyDB here (tests/test_import_hygiene.py)."""
