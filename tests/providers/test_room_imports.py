"""providers import neither Textual nor the store; sync imports no Textual (CONTRIBUTING.md rooms)."""

import subprocess
import sys


def imported_by(packages: list[str]) -> set[str]:
    code = (
        "import sys, pkgutil, importlib\n"
        f"for name in {packages!r}:\n"
        "    pkg = importlib.import_module(name)\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        "print(','.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.strip().split(","))


def test_providers_import_no_textual_no_store():
    mods = imported_by(["console.providers"])
    bad = {
        m
        for m in mods
        if m.split(".")[0] in ("textual", "tinydb") or m.startswith(("console.store", "console.ui"))
    }
    assert not bad, f"console.providers pulled in: {sorted(bad)}"
