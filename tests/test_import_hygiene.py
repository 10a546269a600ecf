"""The pure rooms import no Textual, httpx or TinyDB (DESIGN.md, 'Rooms')."""

import subprocess
import sys

FORBIDDEN = ("textual", "httpx", "tinydb")


def test_domain_and_commands_import_no_io_libraries():
    code = (
        "import sys, pkgutil, importlib, console.domain, console.commands\n"
        "for pkg in (console.domain, console.commands):\n"
        "    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "        importlib.import_module(m.name)\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(','.join(sorted(bad)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"pure rooms pulled in: {out.stdout.strip()}"
