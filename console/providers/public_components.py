"""Customer-facing status components, and the guard that keeps internal names private.

A status page is read by customers: it must only ever receive the component names they
know ("Payment Processing") and their Statuspage ids, never an internal service name
("payments-service-prod-us-east-1"). This map is built from the config's
`[[status.components]]` and `[services.NAME]` tables (docs/config.md); ids missing from
the config are learnt by name from the provider's own component list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

COMPONENT_STATUSES = (
    "operational",
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "under_maintenance",
)


class PublicNameError(ValueError):
    """A name that may not (or cannot) be sent to the status page; the message says which."""


@dataclass
class PublicComponents:
    """Customer-facing component names, their Statuspage ids, and what internal names map to."""

    names: list[str] = field(default_factory=list)
    ids: dict[str, str] = field(default_factory=dict)
    internal: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, doc: Mapping[str, Any] | None) -> PublicComponents:
        """Read `[[status.components]]` and `[services.*]` from a config dict (Settings.raw)."""
        doc = doc or {}
        pc = cls()
        status = doc.get("status") or {}
        for comp in status.get("components") or []:
            name = comp.get("name")
            if not isinstance(name, str) or not name:
                continue
            pc._add_public(name)
            if comp.get("statuspage_id"):
                pc.ids[name] = str(comp["statuspage_id"])
            if comp.get("internal_name"):
                pc._add_internal(str(comp["internal_name"]), [name])
        for key, svc in (doc.get("services") or {}).items():
            comps = [c for c in (svc or {}).get("components") or [] if isinstance(c, str)]
            for c in comps:
                pc._add_public(c)
            # both the table key and the internal `name` are internal words
            for internal in {key, (svc or {}).get("name") or key}:
                if internal not in pc.names:
                    pc._add_internal(str(internal), comps)
        return pc

    def _add_public(self, name: str) -> None:
        if name not in self.names:
            self.names.append(name)

    def _add_internal(self, internal: str, public: list[str]) -> None:
        merged = self.internal.setdefault(internal, [])
        for p in public:
            if p not in merged:
                merged.append(p)

    # -- ids -----------------------------------------------------------------------

    def missing_ids(self, names: Iterable[str]) -> list[str]:
        """The public names among `names` whose Statuspage id is not known yet."""
        return [n for n in names if n not in self.ids]

    def learn(self, remote: Iterable[Mapping[str, Any]]) -> list[str]:
        """Take ids, by exact name, from the provider's component list; return the names learnt.

        Only names that are customer-facing in the config are learnt: a remote component
        nobody configured is left alone, and a configured id is never overridden.
        """
        learnt = []
        for comp in remote:
            name, cid = comp.get("name"), comp.get("id")
            if name in self.names and cid and name not in self.ids and not comp.get("group"):
                self.ids[name] = str(cid)
                learnt.append(name)
        return learnt

    def id_for(self, name: str) -> str:
        """The Statuspage id of a customer-facing component."""
        if name not in self.names:
            raise PublicNameError(self._not_public(name))
        if name not in self.ids:
            raise PublicNameError(
                f"status component '{name}' has no statuspage_id in [[status.components]] "
                "and the status page lists no component of that name"
            )
        return self.ids[name]

    # -- names ---------------------------------------------------------------------

    def public_names(self, name: str) -> list[str]:
        """The customer-facing names for `name`: itself, or what an internal name maps to."""
        if name in self.names:
            return [name]
        if name in self.internal and self.internal[name]:
            return list(self.internal[name])
        raise PublicNameError(self._not_public(name))

    def for_service(self, service: str | None) -> list[str]:
        """The customer-facing components a service feeds (none if it feeds none)."""
        if not service:
            return []
        if service in self.names:
            return [service]
        return list(self.internal.get(service, []))

    def statuses(self, wanted: Mapping[str, str]) -> dict[str, str]:
        """`{name: status}` (names possibly internal) to `{public name: status}`, checked."""
        out: dict[str, str] = {}
        for name, status in wanted.items():
            if status not in COMPONENT_STATUSES:
                raise PublicNameError(
                    f"component status '{status}' for '{name}' is not one of "
                    + ", ".join(COMPONENT_STATUSES)
                )
            for public in self.public_names(name):
                out[public] = status
        return out

    def scrub(self, text: str) -> str:
        """`text` with every internal name replaced by the public name(s) it maps to.

        One pass over the text, longest names first, so a replacement is never itself
        rewritten (a public name may contain an internal word).
        """
        if not self.internal:
            return text
        by_lower = {
            k.lower(): (" / ".join(v) or "an internal system") for k, v in self.internal.items()
        }
        alternatives = "|".join(re.escape(k) for k in sorted(self.internal, key=len, reverse=True))
        pattern = re.compile(r"(?<![\w-])(?:" + alternatives + r")(?![\w-])", re.IGNORECASE)
        return pattern.sub(lambda m: by_lower[m.group(0).lower()], text)

    def _not_public(self, name: str) -> str:
        if name in self.internal:
            return (
                f"'{name}' is an internal name with no customer-facing component: "
                "add it to a [services.NAME] components list"
            )
        known = ", ".join(self.names) or "none configured"
        return f"'{name}' is not a customer-facing status component (known: {known})"
