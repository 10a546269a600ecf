"""Check requests and responses against the providers' OpenAPI files (3.0 or Swagger 2.0).

    spec = load_spec("pagerduty/rest-api-v2.openapiv3.json")   # skips the test if absent
    spec.check_request("POST", "/incidents/PX/notes", body)
    spec.check_response("POST", "/incidents/PX/notes", 201, answer)

`nullable: true` (3.0) and `x-nullable` (2.0) become JSON Schema's null type, so a
`null` the provider documents is accepted and nothing else loosens.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

SPECS = Path(__file__).resolve().parents[2] / ".." / "shared" / "specs"


def _nullable(node: Any) -> Any:
    """OpenAPI schema dialect to JSON Schema: nullable, and oneOf read as anyOf.

    OpenAPI files use `oneOf` to list documented alternatives that overlap (PagerDuty's
    Channel: five shapes that all accept {"type": "api"}), so exclusive matching could
    never pass; without a discriminator, tools read it as "one of these shapes", anyOf.
    """
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        ("anyOf" if k == "oneOf" and "discriminator" not in node else k): _nullable(v)
        for k, v in node.items()
    }
    if out.pop("nullable", False) is True or out.pop("x-nullable", False) is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


# Known contradictions inside the spec files, corrected here and nowhere else.
# PagerDuty: AcknowledgeLogEntry = LogEntry (type enum has "acknowledge_log_entry") AND
# its own type enum ["acknowledgement_log_entry"]: no object can satisfy both; the API
# sends "acknowledge_log_entry" (LogEntry's list), so that is what the erratum allows.
ERRATA: dict[str, list[tuple[tuple[str, ...], Any]]] = {
    "PagerDuty API": [
        (
            (
                "components",
                "schemas",
                "AcknowledgeLogEntry",
                "allOf",
                1,
                "properties",
                "type",
                "enum",
            ),
            ["acknowledge_log_entry", "acknowledgement_log_entry"],
        ),
    ],
}


def _apply_errata(doc: dict[str, Any]) -> None:
    title = doc.get("info", {}).get("title", "")
    for path, value in ERRATA.get(title, []):
        node: Any = doc
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value


class Spec:
    def __init__(self, doc: dict[str, Any]) -> None:
        _apply_errata(doc)
        self.doc = doc
        self.root = {k: _nullable(doc[k]) for k in ("components", "definitions") if k in doc}
        self.paths = doc["paths"]
        self._templates = [
            (re.compile("^" + re.sub(r"\\{[^}]+\\}", "[^/]+", re.escape(p)) + "$"), p)
            for p in self.paths
        ]
        self.base_path = doc.get("basePath", "")

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]]:
        """The path template and operation for a concrete path (most literal match wins)."""
        matches = [
            tpl
            for rx, tpl in self._templates
            if rx.match(path) and method.lower() in self.paths[tpl]
        ]
        if not matches:
            raise AssertionError(f"{method} {path}: no such operation in the spec")
        best = max(matches, key=lambda t: len(re.sub(r"\{[^}]+\}", "", t)))
        return best, self.paths[best][method.lower()]

    def _validate(self, schema: dict[str, Any], instance: Any, what: str) -> None:
        wrapper = {"$ref": "#/x-target", "x-target": _nullable(schema), **self.root}
        try:
            jsonschema.Draft7Validator(wrapper).validate(instance)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            raise AssertionError(f"{what}: {exc.message} at '{where}'") from None

    def request_schema(self, method: str, path: str) -> dict[str, Any] | None:
        _, op = self.operation(method, path)
        if "requestBody" in op:
            body = op["requestBody"]
            if "$ref" in body:
                body = self._deref(body["$ref"])
            content = body.get("content", {})
            media = content.get("application/json") or next(iter(content.values()), {})
            return media.get("schema")
        for param in op.get("parameters", []):
            if "$ref" in param:
                param = self._deref(param["$ref"])
            if param.get("in") == "body":
                return param.get("schema")
        return None

    def _deref(self, ref: str) -> dict[str, Any]:
        node: Any = self.doc
        for part in ref.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def check_request(self, method: str, path: str, body: Any) -> None:
        schema = self.request_schema(method, path)
        if schema is None:
            assert body in (None, b"", {}), f"{method} {path}: the spec takes no body"
            return
        self._validate(schema, body, f"{method} {path} request")

    def response_schema(self, method: str, path: str, status: int) -> dict[str, Any] | None:
        _, op = self.operation(method, path)
        responses = op.get("responses", {})
        answer = (
            responses.get(str(status))
            or responses.get(f"{str(status)[0]}XX")
            or responses.get("default")
        )
        if answer is None:
            raise AssertionError(f"{method} {path}: the spec documents no {status} answer")
        if "$ref" in answer:
            answer = self._deref(answer["$ref"])
        if "schema" in answer:
            return answer["schema"]
        content = answer.get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        return media.get("schema") if media else None

    def check_response(self, method: str, path: str, status: int, body: Any) -> None:
        schema = self.response_schema(method, path, status)
        if schema is not None:
            self._validate(schema, body, f"{method} {path} {status} answer")


@cache
def _load(relative: str) -> Spec:
    return Spec(json.loads((SPECS / relative).read_text()))


def load_spec(relative: str) -> Spec:
    """The spec at ../shared/specs/<relative>; the calling test is skipped when it is absent."""
    if not (SPECS / relative).is_file():
        pytest.skip(f"provider spec {relative} not found under {SPECS.resolve()} (../shared/specs)")
    return _load(relative)
