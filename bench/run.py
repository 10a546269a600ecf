#!/usr/bin/env python3
"""Run the benchmarks: `python bench/run.py [--quick] [--json] [NAME...]`.

Each benchmark is a module `bench/bench_<name>.py` with `run(quick) -> dict | list[dict]`;
every dict is {name, value, unit, floor, ratio, goal, ok}, where `floor` was measured in
the same run (a bare Textual app, a raw fsync'd append, a loopback round trip...), so the
ratio holds on any machine. Medians throughout: these machines are noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def discover() -> dict[str, Path]:
    return {p.stem[len("bench_") :]: p for p in sorted(HERE.glob("bench_*.py"))}


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def line(r: dict) -> str:
    return (
        f"{r['name']}: {r['value']:.4g} {r['unit']} "
        f"(floor: {r['floor']:.4g}, ratio: {r['ratio']:.3g}, goal: {r['goal']}) "
        f"{'PASS' if r['ok'] else 'FAIL'}"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick", action="store_true", help="smaller data; finishes in under two minutes"
    )
    ap.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    ap.add_argument(
        "names", nargs="*", metavar="NAME", help="only these benchmarks (module suffix)"
    )
    args = ap.parse_args(argv)
    available = discover()
    unknown = [n for n in args.names if n not in available]
    if unknown:
        print(
            f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(available)}",
            file=sys.stderr,
        )
        return 2
    results = []
    for name, path in available.items():
        if args.names and name not in args.names:
            continue
        t = time.perf_counter()
        out = load(name, path).run(args.quick)
        for r in out if isinstance(out, list) else [out]:
            r.setdefault("seconds", round(time.perf_counter() - t, 2))
            results.append(r)
            if not args.json:
                print(line(r), flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
