import pytest

from console.commands.grammar import ParseError, parse, verbs


@pytest.mark.parametrize(
    "line,name,args",
    [
        (
            ':declare sev2 "Payments degraded" --service payments',
            "declare",
            {
                "inc": None,
                "severity": 2,
                "title": "Payments degraded",
                "service": "payments",
                "components": [],
                "commander": None,
            },
        ),
        (
            "declare INC-3 SEV1",
            "declare",
            {
                "inc": "INC-3",
                "severity": 1,
                "title": None,
                "service": None,
                "components": [],
                "commander": None,
            },
        ),
        (
            'declare 2 Checkout down --component API --component "Payment Processing" --commander grace',
            "declare",
            {
                "inc": None,
                "severity": 2,
                "title": "Checkout down",
                "service": None,
                "components": ["API", "Payment Processing"],
                "commander": "grace",
            },
        ),
        ("ack", "ack", {"inc": None}),
        (":ack inc-12", "ack", {"inc": "INC-12"}),
        ("acknowledge INC-1", "ack", {"inc": "INC-1"}),
        ("resolve INC-1 --note 'rolled back'", "resolve", {"inc": "INC-1", "note": "rolled back"}),
        ("reopen INC-4", "reopen", {"inc": "INC-4"}),
        ("escalate --level 3", "escalate", {"inc": None, "level": 3}),
        ("reassign INC-1 grace", "reassign", {"inc": "INC-1", "user": "grace"}),
        (
            "page INC-1 database --message 'need a DBA'",
            "page",
            {"inc": "INC-1", "target": "database", "message": "need a DBA"},
        ),
        (
            "note INC-1 rolled back deploy 42",
            "note",
            {"inc": "INC-1", "text": "rolled back deploy 42"},
        ),
        ("severity INC-1 sev1", "severity", {"inc": "INC-1", "severity": 1}),
        ("role INC-1 comms grace", "role", {"inc": "INC-1", "role": "comms", "user": "grace"}),
        (
            "task INC-1 'add an alert on queue depth' --owner ada",
            "task",
            {"inc": "INC-1", "text": "add an alert on queue depth", "owner": "ada"},
        ),
        (
            'component "Payment Processing" partial_outage',
            "component",
            {"component": "Payment Processing", "status": "partial_outage"},
        ),
        (
            "component Payment Processing major_outage",
            "component",
            {"component": "Payment Processing", "status": "major_outage"},
        ),
        (
            'update INC-1 identified "Root cause found" --component "Payment Processing=degraded_performance"',
            "update",
            {
                "inc": "INC-1",
                "status": "identified",
                "text": "Root cause found",
                "components": {"Payment Processing": "degraded_performance"},
            },
        ),
        ("say INC-1 we are on it", "say", {"inc": "INC-1", "text": "we are on it"}),
        ("snooze INC-1 30m", "snooze", {"inc": "INC-1", "seconds": 1800}),
        ("merge INC-1 INC-2 inc-3", "merge", {"inc": "INC-1", "sources": ["INC-2", "INC-3"]}),
        (
            'maint database now +2h "Primary failover"',
            "maint",
            {"service": "database", "start": "now", "end": "+2h", "text": "Primary failover"},
        ),
        ("priority INC-2 p1", "priority", {"inc": "INC-2", "priority": "P1"}),
    ],
)
def test_parses(line, name, args):
    cmd = parse(line)
    assert cmd.name == name
    assert cmd.args == args


@pytest.mark.parametrize(
    "line,message",
    [
        ("", "empty command"),
        ("frobnicate", "unknown command 'frobnicate'"),
        ("declare", "needs a severity"),
        ("declare sev9 x", "not a severity"),
        ("declare 7 x", "not a severity"),
        ('note INC-1 "unbalanced', "cannot read the line"),
        ("ack INC-1 extra", "unexpected 'extra'"),
        ("snooze INC-1 forever", "not a duration"),
        ("update INC-1 fixed all good", "not a status-page status"),
        ("component API broken", "not a component status"),
        ("role INC-1 king ada", "not a role"),
        ("escalate --level zero", "--level must be"),
        ("ack --force", "unknown option --force"),
        ("reopen", "name the incident"),
        ("merge INC-1", "at least one"),
        ("resolve --note", "--note needs a value"),
    ],
)
def test_refuses_with_one_clear_sentence(line, message):
    with pytest.raises(ParseError) as err:
        parse(line)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_bare_number_is_a_severity_never_an_incident():
    cmd = parse("declare 2 Something broke")
    assert cmd.args["severity"] == 2 and cmd.args["inc"] is None


def test_every_verb_has_usage_and_summary():
    for spec in verbs():
        assert spec.usage.startswith(spec.name)
        assert spec.summary
