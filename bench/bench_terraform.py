"""Reading a large team's PagerDuty Terraform: what the mapping costs over parsing it.

A generated organisation (quick: 20 teams, full: 80) of users (for_each), schedules with
restricted layers, escalation policies, services with integrations, service
orchestrations and one router. Two figures, each against a floor measured in this run:

* `terraform.import_cold`: a full import with nothing cached, over python-hcl2 reading
  the same files into dicts (`hcl2.loads`, what any user of the library pays); walking
  the tree for line numbers, references, locals and the orchestration flattening should
  cost at most half as much again (goal: ratio <= 1.5).
* `terraform.import_warm`: the same import again (the console reloads its config with the
  files unchanged), over the cold import; parsed files are reused (goal: ratio <= 0.35).

    python bench/bench_terraform.py [--quick]       # or: python bench/run.py terraform
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script from a checkout
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import hcl2

from console.terraform import hcl_files, import_terraform

COLD_GOAL = 1.5
WARM_GOAL = 0.35


def _team(n: int) -> str:
    t = f"t{n}"
    people = ", ".join(f'{t}u{i} = {{ name = "Person {n}.{i}" }}' for i in range(5))
    users = ", ".join(f'pagerduty_user.{t}["{t}u{i}"].id' for i in range(5))
    return f"""
locals {{
  {t}_people = {{ {people} }}
}}

resource "pagerduty_user" "{t}" {{
  for_each  = local.{t}_people
  name      = each.value.name
  email     = "${{each.key}}@${{var.domain}}"
  time_zone = "Europe/London"
}}

resource "pagerduty_schedule" "{t}_primary" {{
  name      = "Team {n} primary"
  time_zone = "Europe/London"
  layer {{
    name                         = "Weekdays"
    start                        = "2026-01-05T09:00:00Z"
    rotation_virtual_start       = "2026-01-05T09:00:00Z"
    rotation_turn_length_seconds = local.week
    users                        = [{users}]
    restriction {{
      type              = "weekly_restriction"
      start_day_of_week = 1
      start_time_of_day = "09:00:00"
      duration_seconds  = 5 * local.day
    }}
  }}
  layer {{
    name                         = "Nights"
    start                        = "2026-01-05T09:00:00Z"
    rotation_virtual_start       = "2026-01-05T09:00:00Z"
    rotation_turn_length_seconds = local.day
    users                        = [for k in keys(local.{t}_people) : pagerduty_user.{t}[k].id]
    restriction {{
      type              = "daily_restriction"
      start_time_of_day = "18:00:00"
      duration_seconds  = 15 * local.hour
    }}
  }}
}}

resource "pagerduty_escalation_policy" "{t}" {{
  name      = "Team {n}"
  num_loops = 2
  rule {{
    escalation_delay_in_minutes = 15
    target {{
      type = "schedule_reference"
      id   = pagerduty_schedule.{t}_primary.id
    }}
  }}
  rule {{
    escalation_delay_in_minutes = 30
    target {{
      type = "user_reference"
      id   = pagerduty_user.{t}["{t}u0"].id
    }}
  }}
}}

resource "pagerduty_service" "{t}_api" {{
  name                    = "team-{n}-api"
  escalation_policy       = pagerduty_escalation_policy.{t}.id
  acknowledgement_timeout = 1800
  auto_resolve_timeout    = "null"
}}

resource "pagerduty_service_integration" "{t}_api" {{
  name            = "Events API v2"
  type            = "events_api_v2_inbound_integration"
  service         = pagerduty_service.{t}_api.id
  integration_key = "key{n:0>29}"
}}

resource "pagerduty_event_orchestration_service" "{t}_api" {{
  service = pagerduty_service.{t}_api.id
  set {{
    id = "start"
    rule {{
      label = "critical"
      condition {{
        expression = "event.severity matches 'critical'"
      }}
      actions {{
        route_to = "triage"
      }}
    }}
    rule {{
      condition {{
        expression = "event.severity matches 'warning'"
      }}
      actions {{
        priority = "P3"
      }}
    }}
  }}
  set {{
    id = "triage"
    rule {{
      condition {{
        expression = "event.custom_details.customer matches 'true' or event.component matches 'edge'"
      }}
      actions {{
        priority = "P1"
      }}
    }}
  }}
  catch_all {{
    actions {{
      severity = "info"
    }}
  }}
}}
"""


def _organisation(folder: Path, teams: int) -> list[Path]:
    (folder / "variables.tf").write_text(
        'variable "domain" {\n  default = "example.com"\n}\n'
        "locals {\n  hour = 3600\n  day  = 24 * local.hour\n  week = 7 * local.day\n}\n"
    )
    router_rules = "".join(
        f"""
    rule {{
      condition {{
        expression = "event.source matches part 'team-{n}-'"
      }}
      actions {{
        route_to = pagerduty_service.t{n}_api.id
      }}
    }}"""
        for n in range(teams)
    )
    (folder / "router.tf").write_text(
        f"""resource "pagerduty_event_orchestration" "org" {{
  name = "org"
}}
resource "pagerduty_event_orchestration_router" "org" {{
  event_orchestration = pagerduty_event_orchestration.org.id
  set {{
    id = "start"{router_rules}
  }}
  catch_all {{
    actions {{
      route_to = "unrouted"
    }}
  }}
}}
"""
    )
    for n in range(teams):
        (folder / f"team_{n:03}.tf").write_text(_team(n))
    return sorted(folder.glob("*.tf"))


def _medians(fns, rounds: int) -> list[float]:
    """The median seconds of each of `fns`, run in turn round by round: a machine that
    slows down during the run slows floor and figure alike (one after the other, the
    ratio moved between 0.84 and 1.83 from run to run)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for fn, took in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn()
            took.append(time.perf_counter() - t0)
    return [statistics.median(t) for t in times]


def run(quick: bool = False) -> list[dict]:
    """`[{name, value, unit, floor, ratio, goal, ok}, ...]` for a cold and a warm import."""
    teams = 20 if quick else 80
    rounds = 5 if quick else 7
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = _organisation(folder, teams)
        texts = [f.read_text() for f in files]
        result = import_terraform([folder])
        assert len(result.config["services"]) == teams  # the bench measures a real import

        def library_read() -> None:
            for text in texts:
                hcl2.loads(text)

        def cold() -> None:
            hcl_files._PARSED.clear()
            import_terraform([folder])

        def warm() -> None:
            import_terraform([folder])

        parse, cold_s = _medians([library_read, cold], rounds)
        warm()  # fill the cache
        (warm_s,) = _medians([warm], rounds)
    cold_ratio = cold_s / parse
    warm_ratio = warm_s / cold_s
    return [
        {
            "name": "terraform.import_cold",
            "value": round(cold_s * 1000, 1),
            "unit": f"ms ({teams} teams)",
            "floor": round(parse * 1000, 1),
            "ratio": round(cold_ratio, 3),
            "goal": COLD_GOAL,
            "ok": cold_ratio <= COLD_GOAL,
        },
        {
            "name": "terraform.import_warm",
            "value": round(warm_s * 1000, 1),
            "unit": f"ms ({teams} teams)",
            "floor": round(cold_s * 1000, 1),
            "ratio": round(warm_ratio, 3),
            "goal": WARM_GOAL,
            "ok": warm_ratio <= WARM_GOAL,
        },
    ]


if __name__ == "__main__":
    for r in run(quick="--quick" in sys.argv):
        verdict = "PASS" if r["ok"] else "FAIL"
        print(
            f"{r['name']}: {r['value']} {r['unit']} (floor: {r['floor']}, "
            f"ratio: {r['ratio']}, goal: {r['goal']}) {verdict}"
        )
