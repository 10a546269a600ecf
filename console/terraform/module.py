"""One Terraform root module read from files: variables, locals, resources and data sources.

It is the `Scope` that expressions resolve names in. Values are computed lazily, only
when the mapping asks for them, so an attribute the console does not use may hold an
expression this reader does not support without failing the import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from console.terraform.expressions import Env, Namespace, Unsupported, evaluate
from console.terraform.hcl_files import Attribute, Block, Origin, TerraformError, read_file


@dataclass(frozen=True)
class Ref:
    """What `<resource>.id` evaluates to: the resource instance it names.

    PagerDuty ids exist only after `terraform apply`; the console names things by its own
    keys instead, so a reference is kept as a pointer and mapped to that key.
    """

    mode: str  # "resource" | "data"
    type: str
    name: str
    key: str  # the console's key for this instance (the resource name, or its for_each key)
    address: str

    def as_text(self) -> str:
        return self.key

    def __repr__(self) -> str:  # messages show the Terraform address, not the fields
        return f"{self.address}.id"


@dataclass
class Resource:
    """A `resource` or `data` block, expanded into instances by count / for_each."""

    mode: str
    type: str
    name: str
    block: Block
    _instances: list[Instance] | None = None

    @property
    def address(self) -> str:
        prefix = "data." if self.mode == "data" else ""
        return f"{prefix}{self.type}.{self.name}"


@dataclass
class Instance:
    """One instance of a resource, with the `each`/`count` values its attributes see."""

    resource: Resource
    key: str
    address: str
    env: Env = field(default_factory=dict)

    @property
    def block(self) -> Block:
        return self.resource.block

    @property
    def origin(self) -> Origin:
        return self.resource.block.origin

    @property
    def ref(self) -> Ref:
        r = self.resource
        return Ref(r.mode, r.type, r.name, self.key, self.address)


class _InstanceView:
    """`pagerduty_user.ada` inside an expression: `.id` is a Ref, other attributes evaluate."""

    def __init__(self, module: TerraformModule, instance: Instance) -> None:
        self.module = module
        self.instance = instance

    def __repr__(self) -> str:
        return self.instance.address

    def terraform_attr(self, name: str, origin: Origin) -> Any:
        if name == "id":
            return self.instance.ref
        attr = self.instance.block.attributes.get(name)
        if attr is None:
            raise Unsupported(
                f"{self.instance.address}.{name} is not set in the Terraform files "
                "(known only after apply)"
            )
        return self.module.value(attr, self.instance.env)


class TerraformModule:
    """The content of a set of `.tf` files, with tfvars applied to variable defaults."""

    def __init__(self) -> None:
        self.variables: dict[str, Block] = {}
        self.var_values: dict[str, tuple[Any, Origin]] = {}
        self.locals: dict[str, Attribute] = {}
        self.resources: dict[tuple[str, str, str], Resource] = {}
        self.others: list[Block] = []  # module, output, provider...: reported, not read
        self.files: list[str] = []
        self.unread: list[str] = []  # files Terraform would read that this reader does not
        self._local_values: dict[str, Any] = {}
        self._local_busy: list[str] = []

    # -- loading ------------------------------------------------------------------------

    def add_file(self, root: Block) -> None:
        """Take the top-level blocks of one parsed `.tf` file."""
        self.files.append(root.origin.rel)
        for block in root.blocks:
            where = block.origin
            if block.kind == "variable":
                name = self._one_label(block, 1)[0]
                if name in self.variables:
                    first = self.variables[name].origin
                    raise TerraformError(f"{where}: variable '{name}' is also declared at {first}")
                self.variables[name] = block
            elif block.kind == "locals":
                for name, attr in block.attributes.items():
                    if name in self.locals:
                        first = self.locals[name].origin
                        raise TerraformError(
                            f"{attr.origin}: local '{name}' is also defined at {first}"
                        )
                    self.locals[name] = attr
            elif block.kind in ("resource", "data"):
                rtype, name = self._one_label(block, 2)
                key = (block.kind, rtype, name)
                if key in self.resources:
                    first = self.resources[key].block.origin
                    raise TerraformError(
                        f"{where}: {self.resources[key].address} is also declared at {first}"
                    )
                self.resources[key] = Resource(block.kind, rtype, name, block)
            else:
                self.others.append(block)

    def add_tfvars(self, root: Block) -> None:
        """Values from `terraform.tfvars` / `*.auto.tfvars` win over variable defaults."""
        self.files.append(root.origin.rel)
        for name, attr in root.attributes.items():
            value = evaluate(attr.raw, attr.origin, _LiteralOnly())
            self.var_values[name] = (value, attr.origin)

    @staticmethod
    def _one_label(block: Block, count: int) -> tuple[str, ...]:
        if len(block.labels) != count:
            raise TerraformError(
                f"{block.origin}: a {block.kind} block takes {count} label(s), "
                f"found {len(block.labels)}"
            )
        return block.labels

    # -- values -------------------------------------------------------------------------

    def value(self, attr: Attribute, env: Env | None = None) -> Any:
        """The evaluated value of an attribute (in an instance's `each` / `count`)."""
        return evaluate(attr.raw, attr.origin, self, env)

    def attr(self, block: Block, name: str, env: Env | None = None, default: Any = None) -> Any:
        found = block.attributes.get(name)
        return default if found is None else self.value(found, env)

    def instances(self, resource: Resource) -> list[Instance]:
        """The instances count / for_each make of a resource (one when neither is set)."""
        if resource._instances is not None:
            return resource._instances
        block = resource.block
        out: list[Instance] = []
        if "for_each" in block.attributes:
            coll = self.value(block.attributes["for_each"])
            if isinstance(coll, list):
                coll = {_key_text(v, block.attributes["for_each"].origin): v for v in coll}
            if not isinstance(coll, dict):
                raise TerraformError(
                    f"{block.attributes['for_each'].origin}: for_each must be a map or a set"
                )
            for k, v in coll.items():
                out.append(
                    Instance(
                        resource,
                        key=str(k),
                        address=f'{resource.address}["{k}"]',
                        env={"each": {"key": str(k), "value": v}},
                    )
                )
        elif "count" in block.attributes:
            n = self.value(block.attributes["count"])
            if isinstance(n, bool) or not isinstance(n, int) or n < 0:
                raise TerraformError(
                    f"{block.attributes['count'].origin}: count must be a whole number"
                )
            for i in range(n):
                key = resource.name if n == 1 else f"{resource.name}-{i}"
                out.append(
                    Instance(resource, key, f"{resource.address}[{i}]", {"count": {"index": i}})
                )
        else:
            out.append(Instance(resource, key=resource.name, address=resource.address))
        resource._instances = out
        return out

    def attr_of(self, ref: Ref, name: str) -> Attribute | None:
        """An attribute of the instance a reference names, with that instance's `each`."""
        res = self.resources.get((ref.mode, ref.type, ref.name))
        if res is None or name not in res.block.attributes:
            return None
        return res.block.attributes[name]

    def value_of(self, ref: Ref, name: str) -> Any:
        """The value of `name` on the instance `ref` names (None when it is not set)."""
        attr = self.attr_of(ref, name)
        if attr is None:
            return None
        res = self.resources[(ref.mode, ref.type, ref.name)]
        inst = next(i for i in self.instances(res) if i.address == ref.address)
        return self.value(attr, inst.env)

    # -- the Scope expressions resolve names in ------------------------------------------

    def root(self, name: str, origin: Origin) -> Any:
        if name == "var":
            return Namespace("var", self._variable)
        if name == "local":
            return Namespace("local", self._local)
        if name == "data":
            return Namespace("data", lambda t, o: self._type_namespace("data", t, o))
        if name == "path":
            return {"module": ".", "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("each", "count"):
            raise Unsupported(f"'{name}' is used outside a resource that sets {name}")
        if any(mode == "resource" and t == name for mode, t, _ in self.resources):
            return self._type_namespace("resource", name, origin)
        raise Unsupported(f"unknown name '{name}' (no resource of that type in the files read)")

    def _type_namespace(self, mode: str, rtype: str, origin: Origin) -> Namespace:
        prefix = "data." if mode == "data" else ""

        def instance(name: str, at: Origin) -> Any:
            res = self.resources.get((mode, rtype, name))
            if res is None:
                raise Unsupported(f"there is no {prefix}{rtype}.{name} in the files read")
            block = res.block
            found = self.instances(res)
            views = [_InstanceView(self, i) for i in found]
            if "for_each" in block.attributes:
                return {i.key: v for i, v in zip(found, views, strict=True)}
            if "count" in block.attributes:
                return views
            return views[0]

        return Namespace(f"{prefix}{rtype}", instance)

    def _variable(self, name: str, origin: Origin) -> Any:
        if name in self.var_values:
            return self.var_values[name][0]
        block = self.variables.get(name)
        if block is None:
            raise Unsupported(f"variable '{name}' is not declared")
        if "default" not in block.attributes:
            raise Unsupported(
                f"variable '{name}' ({block.origin}) has no default; set it in terraform.tfvars"
            )
        return self.value(block.attributes["default"])

    def _local(self, name: str, origin: Origin) -> Any:
        if name in self._local_values:
            return self._local_values[name]
        attr = self.locals.get(name)
        if attr is None:
            raise Unsupported(f"local '{name}' is not defined")
        if name in self._local_busy:
            chain = " -> ".join([*self._local_busy, name])
            raise Unsupported(f"locals refer to each other in a cycle: {chain}")
        self._local_busy.append(name)
        try:
            value = self.value(attr)
        finally:
            self._local_busy.pop()
        self._local_values[name] = value
        return value


class _LiteralOnly:
    """tfvars files hold literal values only."""

    def root(self, name: str, origin: Origin) -> Any:
        raise Unsupported("a .tfvars file holds literal values only")


def _key_text(value: Any, origin: Origin) -> str:
    if isinstance(value, str | int) and not isinstance(value, bool):
        return str(value)
    raise TerraformError(f"{origin}: for_each over a set needs strings, found {value!r}")


def tf_files(folder: Path) -> tuple[list[Path], list[Path]]:
    """The `.tf` files and the tfvars files Terraform itself would load from a folder."""
    tf = sorted(p for p in folder.glob("*.tf") if p.is_file())
    tfvars = [folder / "terraform.tfvars"] if (folder / "terraform.tfvars").is_file() else []
    tfvars += sorted(p for p in folder.glob("*.auto.tfvars") if p.is_file())
    return tf, tfvars


def load_module(paths: list[Path]) -> TerraformModule:
    """Read folders (their `.tf` and tfvars files) and single files into one module."""
    module = TerraformModule()
    tf: list[tuple[Path, str, str]] = []
    tfvars: list[tuple[Path, str, str]] = []
    for path in paths:
        if path.is_dir():
            found_tf, found_vars = tf_files(path)
            if not found_tf:
                raise TerraformError(f"{path}: no .tf files in this folder")
            tf += [(p, _shown(p), _shown(p)) for p in found_tf]
            tfvars += [(p, _shown(p), _shown(p)) for p in found_vars]
            module.unread += [_shown(p) for p in sorted(path.glob("*.tf.json"))]
        elif path.is_file():
            target = tfvars if path.name.endswith(".tfvars") else tf
            if not path.name.endswith((".tf", ".tfvars")):
                raise TerraformError(f"{path}: not a .tf or .tfvars file")
            target.append((path, _shown(path), _shown(path)))
        else:
            raise TerraformError(f"{path}: no such file or folder")
    seen: set[Path] = set()
    for path, label, rel in tf:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            module.add_file(read_file(path, label, rel))
    for path, label, rel in tfvars:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            module.add_tfvars(read_file(path, label, rel))
    return module


def _shown(path: Path) -> str:
    """A file as messages and `__source__` name it: the path as given, tidied.

    `sample_data/config/../terraform/users.tf` becomes `sample_data/terraform/users.tf`,
    so the name opens from where the command ran, in the TOML and in lint findings alike.
    """
    return Path(os.path.normpath(path)).as_posix()
