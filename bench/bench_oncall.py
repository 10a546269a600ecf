"""Who is on call at 10,000 random instants across 50 schedules of 3 restricted layers.

The same queries are asked near the rotations' start and twenty years after it. The cost
of one answer must not grow with the number of turns since the start (the turn is
computed, never stepped to), so the goal is a ratio of at most 1.5 between the two
per-query costs; the near-start cost is the floor, measured in the same run.

    python bench/bench_oncall.py [--quick]       # or: python bench/run.py oncall
"""

from __future__ import annotations

import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from console.domain.oncall import load_team
from console.domain.settings import settings_from_dict

ZONES = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
]
TURNS = [8 * 3600, 12 * 3600, 86400, 604800, 1209600]
# March: the month the US and the EU change their clocks, so both eras include answers on
# and around daylight-saving changes (the exact, slower conversion) as well as steady days
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
YEARS_LATER = 20
GOAL = 1.5


def _config(rng: random.Random, schedules: int) -> dict:
    users = [f"u{i}" for i in range(30)]

    def layer(restrictions: list[dict]) -> dict:
        return {
            "start": START.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "rotation_virtual_start": (START - timedelta(hours=rng.randrange(0, 24 * 14))).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "rotation_turn_length_seconds": rng.choice(TURNS),
            "users": rng.sample(users, rng.randint(2, 6)),
            "restrictions": restrictions,
        }

    scheds = {}
    for i in range(schedules):
        weekdays = [
            {
                "type": "weekly_restriction",
                "start_day_of_week": d,
                "start_time_of_day": "09:00:00",
                "duration_seconds": 8 * 3600,
            }
            for d in range(1, 6)
        ]
        nights = [
            {
                "type": "daily_restriction",
                "start_time_of_day": "22:00:00",
                "duration_seconds": 10 * 3600,
            }
        ]
        weekend = [
            {
                "type": "weekly_restriction",
                "start_day_of_week": 6,
                "start_time_of_day": "00:00:00",
                "duration_seconds": 2 * 86400,
            }
        ]
        scheds[f"s{i}"] = {
            "time_zone": rng.choice(ZONES),
            "layers": [layer(nights), layer(weekend), layer(weekdays)],
        }
    return {"users": {u: {"name": u} for u in users}, "schedules": scheds}


def _per_query_us(schedules: list, instants: list[datetime]) -> float:
    """One pass over the queries, in microseconds of this process's CPU time per query.

    CPU time, not wall time: on a shared machine the wall clock also counts the moments
    other processes hold the CPU, which is noise for a claim about the work per query.
    """
    t0 = time.process_time()
    for s, when in zip(schedules, instants, strict=False):
        s.on_call(when)
    return (time.process_time() - t0) / min(len(schedules), len(instants)) * 1e6


def _interleaved(
    picks: list, near: list, later: list, rounds: int, chunk: int = 250
) -> tuple[float, float]:
    """Per-query cost near the start and years later, measured turn about in chunks.

    Each chunk keeps its fastest round and the chunks are averaged: a moment of load from
    another process spoils one round of one chunk, not the figure.
    """
    best_near: list[float] = []
    best_later: list[float] = []
    for i in range(0, len(picks), chunk):
        p = picks[i : i + chunk]
        n = [_per_query_us(p, near[i : i + chunk])]
        lt = [_per_query_us(p, later[i : i + chunk])]
        for _ in range(rounds - 1):
            n.append(_per_query_us(p, near[i : i + chunk]))
            lt.append(_per_query_us(p, later[i : i + chunk]))
        best_near.append(min(n))
        best_later.append(min(lt))
    return sum(best_near) / len(best_near), sum(best_later) / len(best_later)


def run(quick: bool = False) -> dict:
    """`{name, value, unit, floor, ratio, goal, ok}`: years-later cost over near-start cost."""
    rng = random.Random(4)
    team = load_team(settings_from_dict(_config(rng, 50), source="bench"))
    scheds = list(team.schedules.values())
    n = 2_000 if quick else 10_000
    rounds = 5 if quick else 9
    picks = [rng.choice(scheds) for _ in range(n)]
    month = 30 * 86400
    near = [START + timedelta(seconds=rng.randrange(month)) for _ in range(n)]
    later_base = START.replace(year=START.year + YEARS_LATER)
    later = [later_base + timedelta(seconds=rng.randrange(month)) for _ in range(n)]
    _per_query_us(picks, near)  # warm the zone caches for both eras
    _per_query_us(picks, later)
    floor, value = _interleaved(picks, near, later, rounds)
    ratio = value / floor
    return {
        "name": "oncall.who_years_later",
        "value": round(value, 2),
        "unit": "us/query",
        "floor": round(floor, 2),
        "ratio": round(ratio, 3),
        "goal": GOAL,
        "ok": ratio <= GOAL,
    }


def _print(result: dict) -> None:
    r = result
    verdict = "PASS" if r["ok"] else "FAIL"
    print(
        f"{r['name']}: {r['value']} {r['unit']} (floor: {r['floor']}, ratio: {r['ratio']}, goal: {r['goal']}) {verdict}"
    )


if __name__ == "__main__":
    _print(run(quick="--quick" in sys.argv))
