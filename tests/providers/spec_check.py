"""Check requests and answers against the providers' own OpenAPI / Swagger files.

Used by the Statuspage, Opsgenie and chat tests. The specs live in ../shared/specs
(relative to the repo root); `load_spec` skips the calling test with a clear reason
when they are absent.

Requests are checked *strictly*: every object in a request body may only carry the fields
the spec declares (the specs rarely say `additionalProperties: false`, so without this a
misspelt field would pass), and every query parameter must be declared with a valid value.
Answers are checked as the spec says, so the fakes answer field for field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "specs"
_JSON_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


@cache
def _read(relative: str) -> dict[str, Any]:
    return json.loads((SPECS / relative).read_text())


def load_spec(relative: str, maps: Iterable[str] = ()) -> SpecCheck:
    """The spec at ../shared/specs/`relative`, or skip the test saying why."""
    path = SPECS / relative
    if not path.is_file():
        pytest.skip(
            f"provider spec not found at {path.resolve()} (the shared specs folder is absent)"
        )
    return SpecCheck(_read(relative), frozenset(maps))


def _normalise(node: Any) -> Any:
    """Repair what the published specs get wrong for JSON Schema (e.g. `"type": "Object"`)."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "type" and isinstance(value, str) and value not in _JSON_TYPES:
                lowered = value.lower()
                if lowered in _JSON_TYPES:
                    out[key] = lowered
                continue  # an unknown type name constrains nothing
            if key == "discriminator":
                continue  # Swagger 2's string form is not JSON Schema
            out[key] = _normalise(value)
        if out.get("nullable") is True and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [_normalise(v) for v in node]
    return node


class SpecCheck:
    """One provider spec (OpenAPI 3 or Swagger 2) and the checks made against it."""

    def __init__(self, spec: dict[str, Any], maps: frozenset[str] = frozenset()) -> None:
        self.spec = spec
        self.swagger2 = str(spec.get("swagger", "")).startswith("2")
        self.maps = maps  # object properties that are really maps (Statuspage's `components`)
        self.root = _normalise(
            {"definitions": spec.get("definitions", {})}
            if self.swagger2
            else {"components": {"schemas": spec.get("components", {}).get("schemas", {})}}
        )
        # Swagger 2 polymorphism: a base with a `discriminator` stands for any of its
        # subtypes (Recipient -> UserRecipient, TeamRecipient...): a strict check of a
        # request must allow the union of their fields.
        defs = spec.get("definitions", {})
        self.subtypes: dict[str, list[str]] = {}
        for name, d in defs.items():
            for part in d.get("allOf", []):
                base = part.get("$ref", "").rsplit("/", 1)[-1]
                if base in defs and "discriminator" in defs[base]:
                    self.subtypes.setdefault(base, []).append(name)
        self._templates = [
            (re.compile("^" + re.sub(r"\\\{[^}]+\\\}", r"[^/]+", re.escape(p)) + "$"), p)
            for p in spec["paths"]
        ]

    # -- finding the operation -------------------------------------------------------

    def template(self, method: str, path: str) -> str:
        """The spec's path template for a concrete path (literal segments win over {params})."""
        candidates = [
            t
            for rx, t in self._templates
            if rx.match(path) and method.lower() in self.spec["paths"][t]
        ]
        if not candidates:
            raise AssertionError(f"{method} {path}: no such operation in the spec")
        return max(candidates, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.spec["paths"][self.template(method, path)][method.lower()]

    def _param(self, p: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in p:
            return self.spec["parameters"][p["$ref"].rsplit("/", 1)[-1]]
        return p

    # -- schemas ---------------------------------------------------------------------

    def _resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.root
        for part in ref.lstrip("#/").split("/"):
            node = node[part]
        return node

    def flatten(self, schema: Any, depth: int = 0, subtypes: bool = True) -> Any:
        """Refs inlined and allOf merged, so that strictness can be added (request bodies)."""
        if depth > 12 or not isinstance(schema, dict):
            return schema
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            flat = self.flatten(self._resolve(schema["$ref"]), depth + 1)
            for sub in self.subtypes.get(name, []) if subtypes else []:
                extra = self.flatten({"$ref": f"#/definitions/{sub}"}, depth + 1, subtypes=False)
                flat = {
                    **flat,
                    "properties": {**extra.get("properties", {}), **flat.get("properties", {})},
                }
            return flat
        out = {k: v for k, v in schema.items() if k != "allOf"}
        if "allOf" in schema:
            props: dict[str, Any] = dict(out.get("properties", {}))
            required = list(out.get("required", []))
            for part in schema["allOf"]:
                flat = self.flatten(part, depth + 1, subtypes)
                props.update(flat.get("properties", {}))
                required += flat.get("required", [])
            out["type"] = "object"
            out["properties"] = props
            if required:
                out["required"] = sorted(set(required))
        if "properties" in out:
            out["properties"] = {
                k: self.flatten(v, depth + 1) for k, v in out["properties"].items()
            }
        if "items" in out:
            out["items"] = self.flatten(out["items"], depth + 1)
        return out

    def _strict(self, schema: Any) -> Any:
        if not isinstance(schema, dict):
            return schema
        schema = dict(schema)
        if "properties" in schema:
            props = {}
            for name, sub in schema["properties"].items():
                if name in self.maps and isinstance(sub, dict) and sub.get("properties"):
                    value = next(iter(sub["properties"].values()))
                    props[name] = {"type": "object", "additionalProperties": value}
                else:
                    props[name] = self._strict(sub)
            schema["properties"] = props
            schema.setdefault("additionalProperties", False)
        if "items" in schema:
            schema["items"] = self._strict(schema["items"])
        return schema

    def _validate(self, schema: dict[str, Any], doc: Any, what: str) -> None:
        full = {**self.root, **schema}  # jsonschema never mutates a schema: no copy
        errors = sorted(
            jsonschema.Draft7Validator(full).iter_errors(doc), key=lambda e: list(e.path)
        )
        if errors:
            lines = [f"{'/'.join(map(str, e.path)) or '(body)'}: {e.message}" for e in errors[:5]]
            raise AssertionError(f"{what} breaks the spec:\n  " + "\n  ".join(lines))

    # -- the checks ------------------------------------------------------------------

    def request_body_schema(self, method: str, path: str) -> dict[str, Any] | None:
        op = self.operation(method, path)
        if self.swagger2:
            for p in op.get("parameters", []):
                p = self._param(p)
                if p.get("in") == "body":
                    return _normalise(p["schema"])
            return None
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        return _normalise(body["schema"]) if body else None

    def check_request(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> None:
        """A request as sent: declared query parameters only, and a strictly valid body."""
        op = self.operation(method, path)
        declared = {}
        for p in op.get("parameters", []):
            p = self._param(p)
            if p.get("in") == "query":
                declared[p["name"]] = _normalise(
                    p.get("schema")
                    or {
                        k: v
                        for k, v in p.items()
                        if k in ("type", "enum", "minimum", "maximum", "items")
                    }
                )
        for name, value in (params or {}).items():
            if name not in declared:
                raise AssertionError(
                    f"{method} {path}: query parameter '{name}' is not in the spec"
                )
            self._validate(
                _coerce_param_schema(declared[name]),
                _coerce(value, declared[name]),
                f"{method} {path} ?{name}",
            )
        schema = self.request_body_schema(method, path)
        if schema is None:
            if body not in (None, b"", {}):
                raise AssertionError(f"{method} {path}: the spec takes no JSON body")
            return
        self._validate(self._strict(self.flatten(schema)), body, f"{method} {path} request")

    def check_response(self, method: str, path: str, status: int, body: Any) -> None:
        """An answer as the spec describes it for that status (or `default`)."""
        op = self.operation(method, path)
        responses = op.get("responses", {})
        entry = responses.get(str(status)) or responses.get("default")
        if entry is None:
            raise AssertionError(
                f"{method} {path}: status {status} is not in the spec (has {sorted(responses)})"
            )
        if "$ref" in entry:
            entry = self.spec["responses"][entry["$ref"].rsplit("/", 1)[-1]]
        if self.swagger2:
            schema = entry.get("schema")
        else:
            schema = (entry.get("content", {}).get("application/json") or {}).get("schema")
        if schema is None:
            return
        self._validate(_normalise(schema), body, f"{method} {path} {status} answer")


def _coerce_param_schema(schema: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in schema.items() if k not in ("default", "format", "collectionFormat")}


def _coerce(value: Any, schema: dict[str, Any]) -> Any:
    """A query value as text, read as the type the spec declares."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if kind == "boolean":
        return {"true": True, "false": False}.get(text, text)
    if kind == "array":
        return text.split(",")
    return text
