"""The layers hold: every import of the project points downward in

    core -> surfaces, optimizers -> lab -> figures -> export -> ui -> app.py, cli.py

and nothing below the UI imports Streamlit. Read from the source (every ``import`` and
``from ... import`` anywhere in a module, also inside functions), not from what happens to
be imported at run time. ``tests/``, ``scripts/`` and ``benchmarks/`` stand outside the
layers and may import anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = {"tests", "scripts", "benchmarks", "docs", "presets", ".venv", ".git", ".ci"}

# A module may import its own layer and those below. app.py and cli.py are entry points:
# nothing imports them.
LAYER = {
    "core": 0,
    "surfaces": 1,
    "optimizers": 1,
    "lab": 2,
    "figures": 3,
    "export": 4,
    "ui": 5,
    "app": 6,
    "cli": 6,
}
# The engine, the pictures and the exports serve the command line too: no Streamlit there.
NO_STREAMLIT = {"core", "surfaces", "optimizers", "lab", "figures", "export"}


def package_of(path: str) -> str:
    """The layer name of a project file: its top folder, or a top-level module's stem."""
    parts = Path(path).parts
    return parts[0] if len(parts) > 1 else Path(path).stem


def module_name(path: str) -> str:
    parts = list(Path(path).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: str, source: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``; relative imports are
    resolved against the file's package."""
    package = module_name(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    for node in ast.walk(ast.parse(source, filename=path)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                yield node.lineno, ".".join([*base, *([node.module] if node.module else [])])
            else:
                yield node.lineno, node.module or ""


def violations(files: Mapping[str, str]) -> list[str]:
    """Every upward import, every Streamlit import below the UI, and every file that
    belongs to no layer, as ``path:line: message``."""
    out = []
    for path, source in sorted(files.items()):
        own = package_of(path)
        if own not in LAYER:
            out.append(f"{path}: {own!r} is in no layer; add it to LAYER in {Path(__file__).name}")
            continue
        for line, name in imported(path, source):
            top = name.split(".")[0]
            if top == "streamlit" and own in NO_STREAMLIT:
                out.append(f"{path}:{line}: {own} imports Streamlit ({name})")
            elif top in LAYER and LAYER[top] > LAYER[own]:
                out.append(
                    f"{path}:{line}: {own} (layer {LAYER[own]}) imports {name} (layer {LAYER[top]})"
                )
    return out


def project_files() -> dict[str, str]:
    files = {}
    for p in ROOT.rglob("*.py"):
        rel = p.relative_to(ROOT)
        if not OUTSIDE.intersection(rel.parts[:1]):
            files[rel.as_posix()] = p.read_text(encoding="utf-8")
    return files


def test_the_project_imports_only_downward_and_streamlit_only_in_the_ui() -> None:
    files = project_files()
    assert {"app.py", "cli.py", "lab/engine.py", "figures/map.py", "ui/session.py"} <= set(files)
    assert violations(files) == []


# The check itself, on made-up modules: each bad one is caught, the good ones pass.
@pytest.mark.parametrize(
    ("path", "source", "message"),
    [
        (
            "lab/engine.py",
            "import figures",
            "lab/engine.py:1: lab (layer 2) imports figures (layer 3)",
        ),
        ("core/params.py", "from ui.model import AppState", "core (layer 0) imports ui.model"),
        (
            "surfaces/x.py",
            "\ndef f():\n    from lab import simulate\n",
            "surfaces/x.py:3: surfaces",
        ),
        ("figures/map.py", "from ..export import render", "figures (layer 3) imports export"),
        ("export/compose.py", "from ui import keys", "export (layer 4) imports ui"),
        ("ui/x.py", "import app", "ui (layer 5) imports app (layer 6)"),
        ("figures/x.py", "import streamlit as st", "figures imports Streamlit (streamlit)"),
        ("lab/x.py", "from streamlit.testing.v1 import AppTest", "lab imports Streamlit"),
        ("optimizers/x.py", "import streamlit.components.v1", "optimizers imports Streamlit"),
        ("plugins/x.py", "import lab", "'plugins' is in no layer"),
    ],
)
def test_an_upward_or_streamlit_import_is_reported(path: str, source: str, message: str) -> None:
    found = violations({path: source})
    assert len(found) == 1 and message in found[0], found


@pytest.mark.parametrize(
    ("path", "source"),
    [
        ("ui/x.py", "import streamlit as st\nimport figures\nfrom lab import simulate"),
        ("app.py", "from ui.session import init_session\nimport streamlit"),
        ("cli.py", "def main():\n    import export\n"),
        ("figures/map.py", "from . import animation\nfrom .traces import add_panels"),
        ("lab/engine.py", "import numpy as np\nfrom optimizers import OPTIMIZERS"),
    ],
)
def test_downward_imports_pass(path: str, source: str) -> None:
    assert violations({path: source}) == []
