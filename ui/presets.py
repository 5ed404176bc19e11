"""Lecture presets: one JSON file per scenario in ``presets/``.

A preset file is a scenario (the format of ``lab/scenario.py``) with an extra
``"caption": {"en": ..., "zh": ...}`` and optionally ``"title": {"en": ..., "zh": ...}``;
or an object ``{"caption": ..., "title": ..., "scenario": {...}}``. The folder may be
missing (no presets) and a broken file is reported and skipped, never fatal. The scenario
itself is validated only when the preset is chosen, with the engine's own message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
META_KEYS = ("caption", "title")


@dataclass(frozen=True)
class Preset:
    name: str  # the file's stem: stable, used as the widget value
    title: dict[str, str]
    caption: dict[str, str]
    scenario: dict[str, Any]

    def title_in(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("en") or self.name.replace("_", " ")

    def caption_in(self, lang: str) -> str:
        return self.caption.get(lang) or self.caption.get("en") or ""


def _texts(v: Any) -> dict[str, str]:
    if isinstance(v, str):
        return {"en": v}
    if isinstance(v, dict):
        return {k: x for k, x in v.items() if isinstance(k, str) and isinstance(x, str)}
    return {}


def load_preset(path: Path) -> Preset:
    """Read one preset file; raises ValueError naming the file when it is not one."""
    try:
        d = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path.name}: not readable JSON ({e})") from None
    if not isinstance(d, dict):
        raise ValueError(f"{path.name}: not a JSON object")
    if "scenario" in d:
        scenario = d["scenario"]
        if not isinstance(scenario, dict):
            raise ValueError(f"{path.name}: 'scenario' is not an object")
    else:
        scenario = {k: v for k, v in d.items() if k not in META_KEYS}
    return Preset(path.stem, _texts(d.get("title")), _texts(d.get("caption")), scenario)


def list_presets(folder: Path | None = None) -> tuple[list[Preset], list[str]]:
    """Every preset in ``folder`` (default ``PRESET_DIR``) sorted by file name, and the
    problems of the files skipped."""
    folder = PRESET_DIR if folder is None else folder
    if not folder.is_dir():
        return [], []
    presets: list[Preset] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            presets.append(load_preset(path))
        except ValueError as e:
            problems.append(str(e))
    return presets, problems
