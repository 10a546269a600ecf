"""The bundled scenarios (sample_data/scenarios/*.yaml) and finding one by name or path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.drill.scenario import Scenario, load_scenario
from console.drill.yamlfile import DrillError, load_yaml

# what the bare `incident-console` plays when no provider has credentials
DEFAULT_SCENARIO = "welcome"


@dataclass(frozen=True)
class ScenarioInfo:
    name: str
    title: str
    summary: str
    path: Path


def scenarios_dir() -> Path:
    from console.paths import sample_data_dir

    return sample_data_dir() / "scenarios"


def list_scenarios() -> list[ScenarioInfo]:
    """The bundled scenarios, the default first, then by name (read for their title only;
    checked when started)."""
    out = []
    folder = scenarios_dir()
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            doc = load_yaml(path).doc
        except DrillError as exc:
            out.append(ScenarioInfo(path.stem, "(unreadable)", str(exc), path))
            continue
        doc = doc if isinstance(doc, dict) else {}
        title = str(doc.get("title", path.stem))
        summary = " ".join(str(doc.get("summary", "")).split())
        out.append(ScenarioInfo(path.stem, title, summary, path))
    # the default first: the screen plays the first one when no provider is configured
    return sorted(out, key=lambda i: (i.name != DEFAULT_SCENARIO, i.name))


def find_scenario(word: str | Path) -> Scenario:
    """A bundled name (as `drill --list` shows) or a path to a scenario file."""
    text = str(word)
    path = Path(text).expanduser()
    looks_like_path = isinstance(word, Path) or "/" in text or text.endswith((".yaml", ".yml"))
    if looks_like_path or path.is_file():
        if not path.exists():
            raise DrillError(f"{text}: no such scenario file")
        return load_scenario(path)
    bundled = scenarios_dir() / f"{text}.yaml"
    if bundled.is_file():
        return load_scenario(bundled, name=text)
    names = ", ".join(s.name for s in list_scenarios()) or "none"
    raise DrillError(f"no scenario '{text}' (bundled: {names}); give a name or a path")
