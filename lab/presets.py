"""Lecture presets: one scenario file per claim of the lecture, in ``presets/``.

A preset file is ``{"title": {"en", "zh"}, "caption": {"en", "zh"}, "scenario": {...},
"view": {...}}``; the scenario is in the format of :mod:`lab.scenario`, the optional view
says how the app opens it (``figures.view.view_options``: loss axis, zoom, whole paths ...). The app, the command line and the tests
read them through this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PRESET_DIR = Path(__file__).resolve().parent.parent / "presets"
SHOWN_CHARS = 80  # a name in a message is cut to this many characters


@dataclass(frozen=True)
class Preset:
    name: str  # the file's stem: stable, used in URLs and on the command line
    title: dict[str, str]
    caption: dict[str, str]
    scenario: dict[str, Any]
    view: dict[str, Any] = field(default_factory=dict)  # how the app opens it (figures.view)

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
    if not isinstance(d, dict) or not isinstance(d.get("scenario"), dict):
        raise ValueError(f"{path.name}: expected an object with a 'scenario' object")
    view = d.get("view") if isinstance(d.get("view"), dict) else {}
    return Preset(path.stem, _texts(d.get("title")), _texts(d.get("caption")), d["scenario"], view)


def list_presets(folder: Path | None = None) -> tuple[list[Preset], list[str]]:
    """Every preset in ``folder`` (default ``PRESET_DIR``) sorted by file name, and the
    problems of the files skipped (a broken file is reported, never fatal)."""
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


def matches(preset: Preset, name: str) -> bool:
    """Whether ``name`` stands for ``preset``: its file stem ("05_saddle_point"), the part after
    the number ("saddle_point"), or the number ("05", also "5")."""
    number, _, rest = preset.name.partition("_")
    if name in (preset.name, rest):
        return True
    # ASCII digits, and few of them: int() of a 5,000-digit link value would raise
    digits = name.isascii() and name.isdigit() and len(name) <= 6
    return digits and number.isdigit() and int(name) == int(number)


def find_preset(name: str, presets: list[Preset]) -> Preset | None:
    """The preset of ``presets`` that ``name`` stands for (see :func:`matches`), or None; an
    empty name stands for none."""
    name = str(name).strip()
    return next((p for p in presets if name and matches(p, name)), None)


def get_preset(name: str, folder: Path | None = None) -> Preset:
    """The preset ``name`` stands for (see :func:`matches`): the one resolver of the app's
    ``?preset=`` links and the command line's ``--preset``. Raises ValueError naming every
    preset when none matches."""
    presets, _ = list_presets(folder)
    found = find_preset(name, presets)
    if found is None:
        shown = name if len(name) <= SHOWN_CHARS else name[: SHOWN_CHARS - 3] + "..."
        raise ValueError(f"preset {shown!r} does not exist; allowed: {allowed_names(presets)}")
    return found


def allowed_names(presets: list[Preset]) -> str:
    """The names a link or ``--preset`` may use, for messages."""
    return ", ".join(p.name for p in presets) or "(no presets installed)"
