"""A drill played on the team's Terraform: the page escalates through its policy.

Worked out by hand from sample_data/terraform for Tuesday 2026-12-01 14:00Z (09:00 in New
York): payments_primary's weekday layer is in its 48th weekly turn since 5 January
(index 47, 47 % 3 -> ada); platform_sun's 8-hour turns put ada on 08:00-16:00Z; the
engineering managers' weekly layer is on index 47 % 2 -> seun, Mateo's evening layer
being off at 09:30 in New York.
"""

from pathlib import Path

import pytest

from console.drill import start_drill

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "terraform"

SCENARIO = """\
title: Payments degraded, on the team's Terraform
summary: An unacknowledged payments page escalates through the Terraform policy.
start: "2026-12-01T14:00:00Z"
duration: 60m
setup:
  terraform: {terraform}
  services:
    payments: {{components: ["Payment Processing"]}}
  status:
    components:
      - {{name: "Payment Processing"}}
injects:
  - at: +10s
    alert:
      routing_key: acme0payments0routing0key000001
      event_action: trigger
      dedup_key: payments-auth-error-rate
      payload:
        summary: "Card authorisation error rate 12%"
        source: payments-api-7f9c4
        severity: critical
        custom_details: {{customer_facing: "true"}}
objectives:
  - {{kind: acknowledge, incident: INC-1, within: 45m}}
  - {{kind: resolve, incident: INC-1, within: 55m}}
"""


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "payments-tf.yaml"
    path.write_text(SCENARIO.format(terraform=SAMPLE.as_posix()))
    return path


def play(scenario: Path, tmp_path: Path, responses: str):
    script = tmp_path / "responses.yaml"
    script.write_text(responses)
    session = start_drill(scenario, root=tmp_path / "drills", headless=True, responses=script)
    try:
        return session.run_headless().data
    finally:
        session.close()


def test_the_page_escalates_through_the_terraform_policy(scenario, tmp_path):
    report = play(
        scenario,
        tmp_path,
        '- {at: "+40m", command: "ack INC-1"}\n- {at: "+50m", command: "resolve INC-1"}\n',
    )
    assert all(o["met"] for o in report["objectives"])
    incident = report["incidents"]["INC-1"]
    assert incident["service"] == "payments"  # the routing key from variables.tf
    assert incident["pages"] == 3 and incident["escalations"] == 2
    assert [(e["level"], e["notified"]) for e in report["escalations"]] == [
        (2, ["ada"]),
        (3, ["seun"]),
    ]
    texts = [row["text"] for row in report["timeline"] if isinstance(row, dict) and "text" in row]
    assert any("Paged level 1" in t and "Ada Lovelace" in t for t in texts)
    assert "Critical at the edge: check the status page" in texts  # the global orchestration


def test_the_terraform_ack_timeout_reopens_an_acknowledged_page(scenario, tmp_path):
    """variables.tf: payments_ack_timeout = 1800, so an ack at 14:05 lapses at 14:35 and the
    policy starts again: level 2 fifteen minutes later, at 14:50."""
    report = play(scenario, tmp_path, '- {at: "+5m", command: "ack INC-1"}\n')
    assert [(e["at"], e["level"]) for e in report["escalations"]] == [("2026-12-01T14:50:00Z", 2)]
    assert [o["met"] for o in report["objectives"]] == [True, False]  # never resolved
