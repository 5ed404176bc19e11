"""Shared fixtures: engine results for the figure tests, an AppTest factory, and (for the
browser tests) a running app server plus Chromium launch settings for pytest-playwright."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from hypothesis import settings  # noqa: E402

from lab import Result, simulate  # noqa: E402

# CI explores the same examples on every run (a red build names a real, reproducible case);
# a developer's run explores new ones each time. `.ci/run` sets HYPOTHESIS_PROFILE=ci.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
from ui.local_server import CHROMIUM, CHROMIUM_ARGS, serve_app  # noqa: E402
from ui.model import default_state  # noqa: E402
from ui.scenario import to_scenario  # noqa: E402


@pytest.fixture(scope="session")
def default_result() -> Result:
    """The app's opening scenario (ravine: GD 1e-2, GD 1e-4, Adam 0.1)."""
    return simulate(to_scenario(default_state()), record_state=True)


@pytest.fixture(scope="session")
def saddle_result() -> Result:
    """The lecture's (1 - w1 w2)^2 started on the diagonal w1 = -w2: GD stops at the saddle."""
    return simulate(
        {
            "surface": "lecture_saddle",
            "start": [0.5, -0.5],
            "steps": 300,
            "runs": [{"optimizer": "sgd", "params": {"lr": 0.05}, "label": "GD"}],
        },
        record_state=True,
    )


@pytest.fixture(scope="session")
def long_result() -> Result:
    """100,000 steps with noise: the size the figures must thin to ~120 frames."""
    return simulate(
        {
            "surface": "ravine",
            "steps": 100_000,
            "runs": [
                {"optimizer": "sgd", "params": {"lr": 1e-2}, "label": "GD"},
                {"optimizer": "adagrad_lecture", "params": {"lr": 0.1}, "label": "Adagrad"},
                {"optimizer": "adam", "params": {"lr": 0.1}, "label": "Adam"},
            ],
            "noise": {"std": 1.0, "seed": 1},
        },
        record_state=True,
    )


CliRun = Callable[..., "subprocess.CompletedProcess[str]"]


@pytest.fixture
def cli() -> CliRun:
    """``cli(*args, env={...})``: ``python cli.py ARGS`` in the project folder, its output
    captured (extra environment variables in ``env``)."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=120,
            env={**os.environ, **(env or {})},
        )

    return run


@pytest.fixture
def make_app() -> Callable[..., Any]:
    """An AppTest of app.py, optionally opened with URL query parameters, already run."""
    from streamlit.testing.v1 import AppTest

    from ui.classroom import FIGURES

    def make(query: dict[str, str] | None = None, run: bool = True) -> Any:
        FIGURES.clear()  # process-wide: each test builds its own figures
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        if run:
            at.run()
        return at

    return make


# --- browser ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app running as `streamlit run` on a free port; stopped by its PID afterwards."""
    with serve_app(log=tmp_path_factory.mktemp("streamlit") / "server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright launches Debian's Chromium (never a downloaded browser)."""
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}
