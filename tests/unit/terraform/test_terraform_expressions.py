"""The HCL expression subset: what team Terraform for PagerDuty writes, evaluated offline."""

from pathlib import Path

import pytest

from console.terraform.hcl_files import TerraformError, parse_text
from console.terraform.module import Ref, TerraformModule


def module_of(text: str, tfvars: str | None = None) -> TerraformModule:
    module = TerraformModule()
    module.add_file(parse_text(text, "main.tf", "main.tf"))
    if tfvars is not None:
        module.add_tfvars(parse_text(tfvars, "terraform.tfvars", "terraform.tfvars"))
    return module


def local(text: str, name: str = "x", tfvars: str | None = None):
    module = module_of(text, tfvars)
    return module.value(module.locals[name])


def test_literals_and_arithmetic():
    text = """
locals {
  hour = 3600
  x = { a = 2 * local.hour, b = "s", c = true, d = null, e = [1, 2.5], f = -3 + 10 % 4 }
}
"""
    assert local(text) == {"a": 7200, "b": "s", "c": True, "d": None, "e": [1, 2.5], "f": -1}


def test_templates_interpolate_and_keep_types_when_alone():
    text = """
variable "team" { default = "payments" }
locals {
  n = 7
  x = ["${var.team} primary", "${local.n}", "plain $${not} %%{kept}", "tab\\there \\"q\\""]
}
"""
    assert local(text) == ["payments primary", 7, "plain ${not} %{kept}", 'tab\there "q"']


def test_heredoc_keeps_text_verbatim():
    text = """
locals {
  x = <<-EOT
    runbook for ${local.svc}
      indented
    EOT
  svc = "db"
}
"""
    assert local(text) == "runbook for db\n  indented\n"


def test_tfvars_win_over_defaults_and_missing_default_names_the_variable():
    text = 'variable "domain" {\n  default = "example.com"\n}\nvariable "tz" {}\nlocals {\n  x = var.domain\n  y = var.tz\n}\n'
    assert local(text) == "example.com"
    assert local(text, tfvars='domain = "acme.example"\n') == "acme.example"
    with pytest.raises(
        TerraformError, match=r"main.tf:7: .*variable 'tz' \(main.tf:4\) has no default"
    ):
        local(text, name="y")


def test_for_expressions_conditionals_and_functions():
    text = """
locals {
  people = { ada = "Ada", grace = "Grace", alan = "Alan" }
  x = {
    names  = [for k, v in local.people : upper(v) if k != "alan"]
    byname = { for k, v in local.people : v => k }
    pick   = length(local.people) > 2 ? "many" : "few"
    joined = join(", ", local.sort_me)
    fmt    = format("%s-%d", "p", 3)
    merged = merge({ a = 1 }, { b = 2 })
    look   = lookup(local.people, "nobody", "none")
    flat   = flatten([[1], [2, [3]]])
  }
  sort_me = ["b", "a"]
}
"""
    out = local(text)
    assert out["names"] == ["ADA", "GRACE"]
    assert out["byname"] == {"Ada": "ada", "Grace": "grace", "Alan": "alan"}
    assert out["pick"] == "many"
    assert out["joined"] == "b, a"
    assert out["fmt"] == "p-3"
    assert out["merged"] == {"a": 1, "b": 2}
    assert out["look"] == "none"
    assert out["flat"] == [1, 2, 3]


def test_resource_references_are_refs_and_attributes_evaluate():
    text = """
locals {
  ids  = [pagerduty_user.ada.id, data.pagerduty_user.seun.id, pagerduty_user.team["kenji"].id]
  mail = pagerduty_user.ada.email
  all  = values(pagerduty_user.team)[*].id
}
resource "pagerduty_user" "ada" {
  name  = "Ada"
  email = "ada@${local.domain}"
}
resource "pagerduty_user" "team" {
  for_each = toset(["kenji", "priya"])
  name     = each.key
  email    = "${each.key}@x"
}
data "pagerduty_user" "seun" {
  email = "seun@x"
}
locals {
  domain = "acme.example"
}
"""
    module = module_of(text)
    ids = module.value(module.locals["ids"])
    assert [r.key for r in ids] == ["ada", "seun", "kenji"]
    assert ids[1] == Ref("data", "pagerduty_user", "seun", "seun", "data.pagerduty_user.seun")
    assert ids[2].address == 'pagerduty_user.team["kenji"]'
    assert module.value(module.locals["mail"]) == "ada@acme.example"
    assert [r.key for r in module.value(module.locals["all"])] == ["kenji", "priya"]


@pytest.mark.parametrize(
    "expr, message",
    [
        ("local.nope", r"main.tf:3: cannot evaluate .*local 'nope' is not defined"),
        ("pagerduty_user.ada.id", r"main.tf:3: .*unknown name 'pagerduty_user'"),
        ("data.pagerduty_user.ada.id", r"main.tf:3: .*there is no data.pagerduty_user.ada"),
        (
            'timeadd("2026-01-01T00:00:00Z", "1h")',
            r"main.tf:3: .*function timeadd\(\) is not supported",
        ),
        ('"${local.a}"', r"main.tf:.*locals refer to each other in a cycle: a -> b -> a"),
        ("[1, 2][5]", r"main.tf:3: .*index 5 is past the end"),
        ('"%{ if true }x%{ endif }"', r"main.tf:3: .*template directives"),
    ],
)
def test_what_cannot_be_evaluated_is_refused_with_file_and_line(expr, message):
    text = f"locals {{\n  a = local.b\n  x = {expr}\n  b = local.a\n}}\n"
    with pytest.raises(TerraformError, match=message):
        local(text)


def test_unused_unsupported_attributes_do_not_fail():
    """Evaluation is lazy: an attribute the console never reads may be anything."""
    module = module_of('locals {\n  weird = timeadd(timestamp(), "1h")\n  x = 1\n}\n')
    assert module.value(module.locals["x"]) == 1


def test_parse_errors_name_file_line_and_column():
    with pytest.raises(TerraformError, match=r"^main.tf:2:\d+: not valid HCL"):
        parse_text("locals {\n  x = \n}\n", "main.tf", "main.tf")


def test_duplicate_declarations_are_refused():
    with pytest.raises(TerraformError, match=r"main.tf:5: local 'x' is also defined at main.tf:2"):
        module_of("locals {\n  x = 1\n}\nlocals {\n  x = 2\n}\n")


def test_files_on_disk(tmp_path: Path, monkeypatch):
    from console.terraform.module import load_module

    (tmp_path / "a.tf").write_text('locals {\n  x = var.v\n}\nvariable "v" { default = 1 }\n')
    (tmp_path / "prod.auto.tfvars").write_text("v = 2\n")
    (tmp_path / "notes.txt").write_text("not terraform")
    monkeypatch.chdir(tmp_path / "..")
    module = load_module([Path(tmp_path.name) / ".." / tmp_path.name])
    # files are named as given, tidied: what a user can open from where they ran it
    assert module.files == [f"{tmp_path.name}/a.tf", f"{tmp_path.name}/prod.auto.tfvars"]
    assert module.value(module.locals["x"]) == 2
