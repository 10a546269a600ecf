"""Applying commands to a State: events, intents and refusals, without a store."""

import pytest

from console.commands.apply import ApplyContext, Refused, apply
from console.commands.grammar import parse
from console.domain.model import State


class World:
    def __init__(self, settings, clock):
        self.state = State()
        self.settings = settings
        self.clock = clock

    def run(self, line, selected=None):
        ctx = ApplyContext(now=self.clock.now(), settings=self.settings, selected=selected)
        out = apply(self.state, parse(line), ctx)
        for ev in out.events:
            self.state.apply(ev)
        return out


@pytest.fixture
def world(settings, clock):
    return World(settings, clock)


def test_declare_new_opens_and_declares_with_commander_and_public_impact(world):
    out = world.run('declare sev2 "Payments degraded" --service payments')
    inc = world.state.get("INC-1")
    assert inc.title == "Payments degraded" and inc.severity == 2 and inc.status == "triggered"
    assert inc.roles["commander"] == "ada"
    assert inc.components == ["Payment Processing"]  # from the service
    assert world.state.components["Payment Processing"].status == "partial_outage"
    assert inc.page_status == "investigating"
    [intent] = out.intents
    assert intent["op"] == "incident.declare"
    assert intent["args"]["public"] == {
        "status": "investigating",
        "impact": "major",
        "components": {"Payment Processing": "partial_outage"},
    }
    assert all(e.author == "Ada Lovelace" and e.origin == "local" for e in out.events)


def test_sev4_is_not_public(world):
    out = world.run('declare sev4 "Slow search" --service payments')
    assert out.intents[0]["args"]["public"] is None
    assert "Payment Processing" not in world.state.components


def test_ids_count_up(world):
    world.run('declare sev3 "one"')
    world.run('declare sev3 "two"')
    assert sorted(world.state.incidents) == ["INC-1", "INC-2"]


def test_ack_resolve_reopen_follow_pagerduty_transitions(world, clock):
    world.run('declare sev2 "x"')
    clock.advance(60)
    world.run("ack")
    inc = world.state.get("INC-1")
    assert inc.status == "acknowledged" and inc.acknowledged_at == clock.now()
    world.run("resolve INC-1 --note 'fixed'")
    assert inc.status == "resolved"
    with pytest.raises(Refused, match="resolved"):
        world.run("ack INC-1")
    with pytest.raises(Refused, match="already resolved"):
        world.run("resolve INC-1")
    world.run("reopen INC-1")
    assert inc.status == "triggered" and inc.resolved_at is None


def test_refusals_change_nothing(world):
    world.run('declare sev2 "x"')
    before = len(world.state.log)
    for line, why in [
        ("ack INC-9", "INC-9 does not exist"),
        ("reassign INC-1 nobody", "no user matches 'nobody'"),
        ("reassign INC-1 gr", "ambiguous"),
        ("declare sev2 x --service nosuch", "no service 'nosuch'"),
        ('component "Nope" major_outage', "no status component"),
        ("snooze INC-1 30m", "only an acknowledged incident"),
        ("reopen INC-1", "not resolved"),
        ("severity INC-1 sev2", "already SEV2"),
        ("merge INC-1 INC-1", "into itself"),
        ("maint database +2h now x", "must end after it starts"),
    ]:
        with pytest.raises(Refused, match=why):
            world.run(line)
    assert len(world.state.log) == before


def test_missing_incident_uses_selected_then_only_open_then_asks(world):
    world.run('declare sev3 "a"')
    world.run("ack")  # the only open one
    world.run('declare sev3 "b"')
    with pytest.raises(Refused, match=r"which incident\? 2 are open \(INC-1, INC-2\)"):
        world.run("note hello")
    world.run("note hello", selected="INC-2")
    assert world.state.timeline("INC-2")[-1].text == "hello"


def test_declare_existing_incident_from_alert(world):
    world.run('declare sev3 "alert opened"')
    with pytest.raises(Refused, match="already declared"):
        world.run("declare INC-1 sev2")


def test_update_posts_status_and_component_changes(world):
    world.run('declare sev2 "x" --service payments')
    out = world.run(
        'update INC-1 identified "Root cause found" --component "payment processing=degraded_performance"'
    )
    assert world.state.components["Payment Processing"].status == "degraded_performance"
    assert world.state.get("INC-1").page_status == "identified"
    assert out.intents[0] == {**out.intents[0], "op": "status.update"}
    assert out.intents[0]["args"]["components"] == {"Payment Processing": "degraded_performance"}


def test_roles_tasks_merge_maint(world, clock):
    world.run('declare sev2 "a"')
    world.run('declare sev3 "b"')
    world.run("role INC-1 comms grace")
    world.run("task INC-1 'write the postmortem' --owner ada")
    world.run("merge INC-1 INC-2")
    world.run('maint database now +2h "failover"')
    inc = world.state.get("INC-1")
    assert inc.roles == {"commander": "ada", "comms": "grace"}
    assert inc.action_items[0].owner == "ada"
    assert world.state.get("INC-2").merged_into == "INC-1"
    assert world.state.get("INC-2").status == "resolved"
    [window] = world.state.maintenance
    assert window.covers(clock.now()) and not window.covers(clock.now().add(hours=2))


def test_escalate_manual(world):
    world.run('declare sev2 "a"')
    out = world.run("escalate")
    assert world.state.get("INC-1").escalation_level == 2
    assert out.events[0].data == {"level": 2, "manual": True}
    world.run("escalate --level 4")
    assert world.state.get("INC-1").escalation_level == 4


def test_an_unknown_component_is_refused_at_once_naming_the_known_ones(world, bare_settings, clock):
    """QA Q2: the status page refuses any unconfigured name, so exec refuses it first."""
    with pytest.raises(Refused, match=r"'Checkout' \(known: Payment Processing, Dashboard, API\)"):
        world.run('declare sev2 "x" --component Checkout')
    bare = World(bare_settings, clock)
    for line in ['declare sev2 "x" --component Checkout', 'component "Checkout" major_outage']:
        with pytest.raises(Refused, match="none are configured"):
            bare.run(line)
    assert bare.state.incidents == {} and world.state.incidents == {}


def test_exec_exits_1_on_an_unknown_component(tmp_path, capsys):
    from console.cli import main

    line = ':declare sev2 "Payments degraded" --component "Payment Processing"'
    assert main(["--store", str(tmp_path / "s"), "exec", line]) == 1
    err = capsys.readouterr().err
    assert "no status component 'Payment Processing': none are configured" in err


def test_an_update_names_only_components_the_incident_did_not_affect_yet(world):
    """QA Q10: "Affects Payment Processing" after each update of a component it had."""
    world.run('declare sev2 "x" --service payments')  # affects Payment Processing
    out = world.run(
        'update INC-1 identified "found" --component "Payment Processing=degraded_performance"'
    )
    assert "components_added" not in [e.kind for e in out.events]
    out = world.run('update INC-1 monitoring "fix out" --component API=degraded_performance')
    [added] = [e for e in out.events if e.kind == "components_added"]
    assert added.text == "Affects API" and added.data["components"] == ["API"]
    assert world.state.get("INC-1").components == ["Payment Processing", "API"]


def test_an_action_items_owner_is_named_as_roles_are(world):
    world.run('declare sev2 "x"')
    out = world.run("task INC-1 'write the postmortem' --owner grace")
    assert out.events[0].text == "Action item: write the postmortem (owner Grace Hopper)"
    assert out.events[0].data["owner"] == "grace"  # the handle stays the data
