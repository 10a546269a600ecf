"""Event orchestrations (global, router, service) onto the console's [rules].

PagerDuty evaluates a set's rules in order and the first match wins; a matching rule may
`route_to` another set, whose rules then apply on top of its actions, and an event that
reaches the end of any set without a match gets the catch-all's actions. The console's
rule lists are flat and first-match-wins too, so nested sets are flattened exactly:

* a rule that routes to set S becomes one rule per rule of S, each matching
  "parent condition and child condition" with the parent's actions under the child's,
  followed by the parent alone with the catch-all's actions (S matched nothing);
* the catch-all of the start set becomes a last rule with no condition.

Conditions stay PagerDuty Condition Language strings. A rule's several `condition` blocks
mean "any of them"; PCL has no parentheses and `and` binds tighter than `or`, so the
conjunction of two conditions is written in disjunctive normal form.
"""

from __future__ import annotations

import re
from typing import Any

from console.terraform.hcl_files import Block, Origin, TerraformError
from console.terraform.mapping import SOURCE, Importer
from console.terraform.module import Instance, Ref

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")
SEVERITIES = ("critical", "error", "warning", "info")
MODELLED_ACTIONS = {"drop_event", "suppress", "severity", "priority", "annotate", "route_to"}
UNROUTED = "unrouted"

Clauses = list[list[str]]  # OR of ANDs; [[]] is "always"


def split_or(expression: str) -> list[str]:
    """The top-level `or` alternatives of a PCL expression (quotes respected)."""
    parts: list[str] = []
    buf: list[str] = []
    i = 0
    quote = ""
    while i < len(expression):
        c = expression[i]
        if quote:
            buf.append(c)
            if c == "\\" and i + 1 < len(expression):
                buf.append(expression[i + 1])
                i += 2
                continue
            if c == quote:
                quote = ""
            i += 1
            continue
        if c in "'\"":
            quote = c
            buf.append(c)
            i += 1
            continue
        m = re.match(r"\s+or\s+", expression[i:], re.IGNORECASE)
        if m and buf:
            parts.append("".join(buf).strip())
            buf = []
            i += m.end()
            continue
        buf.append(c)
        i += 1
    parts.append("".join(buf).strip())
    return [p for p in parts if p]


def conjoin(left: Clauses, right: Clauses) -> Clauses:
    """(a or b) and (c or d) = a and c or a and d or b and c or b and d."""
    return [lhs + rhs for lhs in left for rhs in right]


def render(clauses: Clauses) -> str | None:
    """The PCL string for a DNF, or None when it always matches."""
    if any(not conj for conj in clauses):
        return None
    return " or ".join(" and ".join(conj) for conj in clauses)


class OrchestrationReader:
    """Reads the orchestration resources of one module into [rules] and service rules."""

    def __init__(self, importer: Importer) -> None:
        self.imp = importer
        self.module = importer.module

    # -- actions ------------------------------------------------------------------------

    def _priority(self, value: Any, origin: Origin) -> str | None:
        if isinstance(value, Ref) and value.type == "pagerduty_priority":
            named = self.module.value_of(value, "name")
            if named is None:
                self.imp.warn(origin, f"{value.address} has no name; priority dropped")
                return None
            value = named
        if isinstance(value, str) and value.upper() in PRIORITIES:
            return value.upper()
        self.imp.warn(origin, f"priority {value!r} is not one of P1..P5; dropped")
        return None

    def actions(self, block: Block | None, inst: Instance, router: bool) -> tuple[dict, str | None]:
        """The console's actions for a TF `actions` block, and the set it routes to."""
        if block is None:
            return {}, None
        out: dict[str, Any] = {}
        route_set: str | None = None
        for name, attr in block.attributes.items():
            value = self.module.value(attr, inst.env)
            if name not in MODELLED_ACTIONS:
                if value not in (None, False, "", []):
                    self.imp.warn(attr.origin, f"action '{name}' is not modelled; dropped")
                continue
            if value in (None, "", False):
                continue
            if name == "drop_event":
                out["drop"] = True
            elif name == "suppress":
                out["suppress"] = True
            elif name == "severity":
                if value not in SEVERITIES:
                    raise TerraformError(
                        f"{attr.origin}: severity must be one of {', '.join(SEVERITIES)}"
                    )
                out["severity"] = value
            elif name == "priority":
                priority = self._priority(value, attr.origin)
                if priority:
                    out["priority"] = priority
            elif name == "annotate":
                out["annotate"] = str(value)
            elif name == "route_to":
                if router:
                    if value == UNROUTED:
                        out["route_to"] = UNROUTED
                    else:
                        out["route_to"] = self.imp.ref_key(
                            value, "pagerduty_service", attr.origin, "route_to"
                        )
                else:
                    route_set = str(value)
        for sub in block.blocks:
            self.imp.warn(sub.origin, f"action '{sub.kind}' is not modelled; dropped")
        return out, route_set

    # -- sets ---------------------------------------------------------------------------

    def conditions(self, rule: Block, inst: Instance) -> Clauses:
        found = rule.children("condition")
        if not found:
            return [[]]
        clauses: Clauses = []
        for cond in found:
            attr = cond.attributes.get("expression")
            if attr is None:
                raise TerraformError(f"{cond.origin}: a condition needs 'expression'")
            text = self.module.value(attr, inst.env)
            if not isinstance(text, str) or not text.strip():
                raise TerraformError(f"{attr.origin}: a condition expression must be PCL text")
            clauses += [[alt] for alt in split_or(text.strip())]
        return clauses

    def flatten(self, inst: Instance) -> list[dict[str, Any]]:
        """A global or service orchestration's sets as one first-match-wins list."""
        block = inst.block
        sets: dict[str, Block] = {}
        for s in block.children("set"):
            sid = str(self.module.attr(s, "id", inst.env, ""))
            if not sid:
                raise TerraformError(f"{s.origin}: a set needs an 'id'")
            sets[sid] = s
        if "start" not in sets:
            raise TerraformError(f'{block.origin}: {inst.address} has no set with id "start"')
        catch_all = block.child("catch_all")
        catch_actions, _ = self.actions(
            catch_all.child("actions") if catch_all else None, inst, False
        )

        def walk(
            sid: str,
            parent: Clauses,
            inherited: dict,
            path: tuple[str, ...],
            origin: Origin,
            names: tuple[str, ...],
        ) -> list[dict]:
            if sid not in sets:
                raise TerraformError(f"{origin}: route_to names set {sid!r}, which is not defined")
            if sid in path:
                raise TerraformError(
                    f"{origin}: sets route to each other in a cycle: {' -> '.join((*path, sid))}"
                )
            out: list[dict] = []
            for rule in sets[sid].children("rule"):
                if self.module.attr(rule, "disabled", inst.env, False) is True:
                    continue
                clauses = conjoin(parent, self.conditions(rule, inst))
                label = self.module.attr(rule, "label", inst.env, "")
                named = (*names, str(label)) if label else names
                own, target = self.actions(rule.child("actions"), inst, router=False)
                merged = {**inherited, **own}
                if target is not None:
                    out += walk(target, clauses, merged, (*path, sid), rule.origin, named)
                    fallback = {**merged, **catch_actions}
                    out.append(_rule(clauses, fallback, rule.origin, named))
                else:
                    out.append(_rule(clauses, merged, rule.origin, named))
            return out

        rules = walk("start", [[]], {}, (), block.origin, ())
        if catch_actions:
            rules.append(_rule([[]], catch_actions, catch_all.origin, ("catch-all",)))
        return rules

    # -- the three kinds ------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        rules: dict[str, Any] = {}
        global_rules: list[dict] = []
        for inst in self.imp.instances("resource", "pagerduty_event_orchestration_global"):
            global_rules += self.flatten(inst)
        router_rules: list[dict] = []
        catch_all: dict[str, Any] | None = None
        routers = self.imp.instances("resource", "pagerduty_event_orchestration_router")
        if len(routers) > 1:
            self.imp.warn(
                routers[1].origin,
                "several orchestration routers: their rules are joined in file order, "
                "and the first catch-all is kept",
            )
        for inst in routers:
            router_rules += self._router_rules(inst)
            ca = inst.block.child("catch_all")
            if ca is not None and catch_all is None:
                acts, _ = self.actions(ca.child("actions"), inst, router=True)
                catch_all = {SOURCE: ca.origin.source, "route_to": acts.get("route_to", UNROUTED)}
        for inst in self.imp.instances("resource", "pagerduty_event_orchestration_service"):
            attr = inst.block.attributes.get("service")
            if attr is None:
                raise TerraformError(f"{inst.origin}: {inst.address} needs 'service'")
            key = self.imp.ref_key(
                self.module.value(attr, inst.env), "pagerduty_service", attr.origin, "service"
            )
            service = self.imp.services.get(key)
            if service is None:
                self.imp.warn(
                    attr.origin,
                    f"service '{key}' is not defined in these files; its rules are dropped",
                )
                continue
            if "rules" in service:
                raise TerraformError(
                    f"{inst.origin}: service '{key}' has a second service orchestration"
                )
            service["rules"] = self.flatten(inst)
        if global_rules:
            rules["global"] = global_rules
        if router_rules:
            rules["router"] = router_rules
        if catch_all is not None:
            rules["catch_all"] = catch_all
        return rules

    def _router_rules(self, inst: Instance) -> list[dict]:
        out: list[dict] = []
        sets = inst.block.children("set")
        for s in sets:
            sid = self.module.attr(s, "id", inst.env, "start")
            if sid != "start":
                self.imp.warn(s.origin, f"a router has only the start set; set {sid!r} ignored")
                continue
            for rule in s.children("rule"):
                if self.module.attr(rule, "disabled", inst.env, False) is True:
                    continue
                acts, _ = self.actions(rule.child("actions"), inst, router=True)
                if "route_to" not in acts:
                    self.imp.warn(
                        rule.origin, "a router rule without route_to routes nothing; dropped"
                    )
                    continue
                out.append(
                    _rule(
                        self.conditions(rule, inst),
                        {"route_to": acts["route_to"]},
                        rule.origin,
                        (str(label),)
                        if (label := self.module.attr(rule, "label", inst.env, ""))
                        else (),
                    )
                )
        return out


def _rule(
    clauses: Clauses, actions: dict[str, Any], origin: Origin, names: tuple[str, ...]
) -> dict[str, Any]:
    out: dict[str, Any] = {SOURCE: origin.source}
    if names:  # a flattened nested rule is named by its path: "critical > customers see it"
        out["name"] = " > ".join(names)
    condition = render(clauses)
    if condition is not None:
        out["condition"] = condition
    out["actions"] = dict(actions)
    return out
