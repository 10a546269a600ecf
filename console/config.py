"""Read the TOML config file into `Settings` (docs/config.md).

A missing file means the built-in defaults; anything else that cannot be read or that
holds an unknown key is a `ConfigError` naming the file and the key.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from console.domain.settings import Settings, SettingsError, settings_from_dict
from console.paths import default_config_path


class ConfigError(Exception):
    """The config cannot be used; the message names the file (and line or key)."""


def resolve_config_path(path: Path | None) -> Path:
    return path if path is not None else default_config_path()


def read_config_dict(path: Path | None) -> tuple[dict, str]:
    """The raw TOML document and a label for messages; {} when the file is absent."""
    target = resolve_config_path(path)
    if target.is_dir():
        # a Terraform folder named as the config: the terraform room reads it
        return {"terraform": str(target)}, str(target)
    if not target.exists():
        if path is not None:
            raise ConfigError(f"{target}: no such config file")
        return {}, "<defaults>"
    try:
        with target.open("rb") as fh:
            return tomllib.load(fh), str(target)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{target}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read: {exc.strerror}") from None


def load_settings(path: Path | None = None) -> Settings:
    doc, label = read_config_dict(path)
    return settings_from_document(doc, label)


def settings_from_document(doc: dict, label: str) -> Settings:
    """Settings from a config document already read (a drill scenario's merged setup):
    Terraform merged in, then validated; ConfigError names `label` and the key."""
    doc = _merge_terraform(doc, label)
    try:
        return settings_from_dict(doc, source=label)
    except SettingsError as exc:
        raise ConfigError(str(exc)) from None


def _merge_terraform(doc: dict, label: str) -> dict:
    """Fold in PagerDuty resources read from Terraform; what the TOML file says wins."""
    folder = doc.get("terraform")
    if not folder:
        return doc
    try:
        from console.terraform import read_terraform_config  # type: ignore[attr-defined]
    except ImportError:
        raise ConfigError(
            f"{label}: terraform = '{folder}' but Terraform import is not available"
        ) from None
    base = (
        Path(label).parent if label not in ("<defaults>",) and Path(label).is_file() else Path.cwd()
    )
    tf_path = Path(folder) if Path(folder).is_absolute() else base / folder
    from console.terraform import TerraformError

    try:
        imported = read_terraform_config(tf_path)
    except TerraformError as exc:  # its message names the .tf file and line
        raise ConfigError(f"{label}: terraform = '{folder}': {exc}") from None
    return deep_merge(imported, {k: v for k, v in doc.items() if k != "terraform"})


def deep_merge(base: dict, over: dict) -> dict:
    """`over` wins; tables merge key by key, everything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out
