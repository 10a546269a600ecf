"""`incident-console import-terraform` and `--config DIR` / `terraform = "DIR"`, end to end."""

import json
import tomllib
from pathlib import Path

import pytest

from console.cli import main
from console.config import ConfigError, load_settings

SAMPLE = Path(__file__).resolve().parents[3] / "sample_data" / "terraform"
TF = SAMPLE.as_posix()  # sources name files as the path was given


def test_writes_toml_to_stdout(capsys):
    assert main(["import-terraform", str(SAMPLE)]) == 0
    out, err = capsys.readouterr()
    doc = tomllib.loads(out)
    assert doc["services"]["payments"]["escalation_policy"] == "payments"
    assert "# Skipped:" in out
    assert f"skipped: pagerduty_team_membership.shop ({TF}/users.tf:21)" in err


def test_writes_a_file_and_refuses_to_overwrite_it(tmp_path, capsys):
    target = tmp_path / "team.toml"
    assert main(["import-terraform", str(SAMPLE), "-o", str(target)]) == 0
    first = target.read_text()
    assert "wrote" in capsys.readouterr().err
    target.write_text("# my edits\n")
    assert main(["import-terraform", str(SAMPLE), "-o", str(target)]) == 1
    assert "already exists; pass --force" in capsys.readouterr().err
    assert target.read_text() == "# my edits\n"  # never destroyed
    assert main(["import-terraform", str(SAMPLE), "-o", str(target), "--force"]) == 0
    assert target.read_text() == first
    assert [p.name for p in tmp_path.iterdir()] == ["team.toml"]  # no temp files left


def test_the_written_file_is_a_config_the_console_loads(tmp_path):
    target = tmp_path / "config.toml"
    assert main(["import-terraform", str(SAMPLE), "-o", str(target)]) == 0
    settings = load_settings(target)
    assert set(settings.services) == {"payments", "checkout", "database", "search", "auth"}
    assert settings.raw["schedules"]["platform_sun"]["layers"][0]["users"] == [
        "kenji",
        "ada",
        "grace",
    ]


def test_json_output_is_one_document(capsys):
    assert main(["import-terraform", str(SAMPLE), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"config", "skipped", "warnings", "files"}
    assert {
        "address": "pagerduty_team_membership.shop",
        "source": f"{TF}/users.tf:21",
        "reason": "team membership is not part of the console's config",
    } in doc["skipped"]


@pytest.mark.parametrize(
    "files, message",
    [
        ({"a.tf": 'resource "pagerduty_user" "x" {\n  name = \n}\n'}, r"a.tf:2:\d+: not valid HCL"),
        (
            {
                "a.tf": 'resource "pagerduty_service" "s" {\n  name = "s"\n  escalation_policy = pagerduty_escalation_policy.gone.id\n}\n'
            },
            r"a.tf:3: cannot evaluate .*unknown name 'pagerduty_escalation_policy'",
        ),
        (
            {
                "a.tf": 'resource "pagerduty_schedule" "s" {\n  time_zone = "UTC"\n  layer {\n    start = "2026-01-01T00:00:00Z"\n'
                '    rotation_virtual_start = "2026-01-01T00:00:00Z"\n    rotation_turn_length_seconds = 86400\n'
                "    users = [pagerduty_schedule.s.id]\n  }\n}\n"
            },
            r"a.tf:7: layer 1 users\[1\] refers to pagerduty_schedule.s, not a pagerduty_user",
        ),
        (
            {
                "a.tf": 'resource "pagerduty_service" "s" {\n  escalation_policy = "PX"\n  auto_resolve_timeout = "soon"\n}\n'
            },
            r"a.tf:3: expected a whole number, found 'soon'",
        ),
        ({"empty.txt": "nothing"}, r"no .tf files in this folder"),
    ],
)
def test_bad_terraform_exits_2_with_one_line_naming_file_and_line(tmp_path, capsys, files, message):
    import re

    for name, text in files.items():
        (tmp_path / name).write_text(text)
    assert main(["import-terraform", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert re.search(message, err), err


def test_config_dir_reads_terraform_directly():
    settings = load_settings(SAMPLE)
    assert settings.services["auth"].escalation_policy == "identity"
    assert settings.raw["rules"]["catch_all"]["route_to"] == "unrouted"


def test_toml_with_terraform_key_merges_and_the_toml_wins(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        f'terraform = "{SAMPLE}"\n'
        "[services.payments]\n"
        "acknowledgement_timeout = 600\n"
        'components = ["Payment Processing"]\n'
        "[users.seun]\n"
        'name = "Oluwaseun Adeyemi"\n'
    )
    settings = load_settings(cfg)
    pay = settings.services["payments"]
    assert pay.acknowledgement_timeout == 600  # the TOML's
    assert pay.auto_resolve_timeout == 14400  # Terraform's
    assert pay.components == ("Payment Processing",)
    assert settings.users["seun"].name == "Oluwaseun Adeyemi"
    assert settings.users["seun"].email == "seun@acme.example"


def test_a_relative_terraform_folder_is_read_beside_the_config(tmp_path):
    (tmp_path / "infra").mkdir()
    for f in SAMPLE.iterdir():
        (tmp_path / "infra" / f.name).write_text(f.read_text())
    cfg = tmp_path / "config.toml"
    cfg.write_text('terraform = "infra"\n')
    assert "payments" in load_settings(cfg).services


def test_broken_terraform_behind_a_config_is_a_config_error(tmp_path, capsys):
    (tmp_path / "bad.tf").write_text(
        'locals {\n  x = local.y\n}\nresource "pagerduty_user" "u" {\n  name = local.x\n  email = "u@x"\n}\n'
    )
    cfg = tmp_path / "config.toml"
    cfg.write_text(f'terraform = "{tmp_path}"\n')
    with pytest.raises(
        ConfigError, match=r"config.toml: terraform = .*bad.tf:2: cannot evaluate .*local 'y'"
    ):
        load_settings(cfg)


def test_the_bundled_terraform_config_adds_the_status_page():
    cfg = SAMPLE.parent / "config" / "acme-terraform.toml"
    settings = load_settings(cfg)
    assert settings.services["checkout"].components == ("Checkout", "Website")
    assert settings.users["seun"].name == "Oluwaseun Adeyemi"
    assert "Public API" in settings.components
    # lint names the Terraform file as it can be opened from here
    source = settings.raw["policies"]["search"]["__source__"]
    assert Path(source.rsplit(":", 1)[0]).resolve() == (SAMPLE / "policies.tf").resolve()


def test_secrets_in_the_terraform_never_reach_the_output(tmp_path, capsys):
    canary = "u+CANARY-7f3a9c-never-print-me"
    for f in SAMPLE.iterdir():
        (tmp_path / f.name).write_text(f.read_text())
    (tmp_path / "provider_token.tf").write_text(
        'variable "pagerduty_token" {\n  sensitive = true\n}\n'
        'provider "pagerduty" {\n  alias = "admin"\n  token = var.pagerduty_token\n}\n'
    )
    (tmp_path / "secrets.auto.tfvars").write_text(f'pagerduty_token = "{canary}"\n')
    (tmp_path / "extra.tf.json").write_text('{"resource": {}}')
    target = tmp_path / "out.toml"
    assert main(["import-terraform", str(tmp_path), "-o", str(target)]) == 0
    assert main(["import-terraform", str(tmp_path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert canary not in out + err + target.read_text()
    assert "extra.tf.json" in err and "JSON syntax is not read" in err


@pytest.mark.parametrize(
    "text, message",
    [
        (  # PCL the console cannot parse: refused before anything is written
            'resource "pagerduty_event_orchestration_global" "g" {\n'
            "  event_orchestration = pagerduty_event_orchestration.o.id\n"
            '  set {\n    id = "start"\n    rule {\n      condition {\n'
            '        expression = "event.summary matches"\n      }\n'
            "      actions {\n        suppress = true\n      }\n    }\n  }\n"
            "  catch_all {\n    actions {}\n  }\n}\n"
            'resource "pagerduty_event_orchestration" "o" {\n  name = "o"\n}\n',
            r"main.tf:5: \[\[rules.global\]\] #1",
        ),
        (  # a layer that ends before it starts
            'resource "pagerduty_user" "a" {\n  name = "A"\n  email = "a@x"\n}\n'
            'resource "pagerduty_schedule" "s" {\n  time_zone = "UTC"\n  layer {\n'
            '    start = "2026-02-01T00:00:00Z"\n    end = "2026-01-01T00:00:00Z"\n'
            '    rotation_virtual_start = "2026-02-01T00:00:00Z"\n'
            "    rotation_turn_length_seconds = 3600\n    users = [pagerduty_user.a.id]\n  }\n}\n",
            r"main.tf:7: \[schedules.s\] layers\[1\]: end must be after start",
        ),
    ],
)
def test_what_the_console_could_not_read_is_never_written(tmp_path, capsys, text, message):
    import re

    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(text)
    target = tmp_path / "out.toml"
    assert main(["import-terraform", str(tmp_path / "tf"), "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert not target.exists()
