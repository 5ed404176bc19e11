"""The code stays cheap to change: short functions, modules and app.py (issue 8's measures).

Complexity is ruff's (C901, max 12, in pyproject.toml, checked by test_lint); lengths are
counted here from the syntax tree. Tests and scripts are exempt: tables of cases and
step-by-step checks read better long.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600
MAX_APP_LINES = 250
EXEMPT = {"tests", "scripts", ".venv", ".git"}


def _modules() -> list[Path]:
    return sorted(
        p for p in ROOT.rglob("*.py") if not EXEMPT & set(p.relative_to(ROOT).parts)
    )


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> list[tuple[str, int]]:
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > limit:
                out.append((node.name, length))
    return out


def test_the_counter_sees_a_long_function() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(MAX_FUNCTION_LINES))
    assert long_functions(f"def f():\n{body}\n") == [("f", MAX_FUNCTION_LINES + 1)]
    assert long_functions("def g():\n    return 1\n") == []


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_functions_and_modules_are_short(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert long_functions(source) == [], f"functions over {MAX_FUNCTION_LINES} lines"
    assert len(source.splitlines()) <= MAX_MODULE_LINES


def test_app_py_holds_layout_only() -> None:
    assert len((ROOT / "app.py").read_text(encoding="utf-8").splitlines()) <= MAX_APP_LINES
