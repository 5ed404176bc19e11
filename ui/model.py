"""The app's model: what the user has set up (``AppState``, one ``RunState`` per optimizer run),
its defaults, the optimizer families the user picks from, and the automatic run labels.

Plain data and pure functions (no Streamlit): the scenario bridge (``ui.scenario``), the URL
codec (``ui.url``) and the widget keys (``ui.keys``) all read and write these values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from figures.view import MAX_RUN
from lab.scenario import MAX_LABEL
from optimizers import OPTIMIZERS
from optimizers.schedules import SCHEDULES

VIEWS = ("map", "3d", "maps")  # the view switcher; issue 12 adds a data panel
LOSS_AXES = ("linear", "log")
VIEW_KEYS = ("lang", "present", "view", "arrows", "loss_axis", "whole", "local", "zoom", "map_x", "map_y", "panels", "pins", "axis", "seeds")
STEP_AXES = ("updates", "epochs")  # the panels' step axis on a data set (issue 12)
MAX_RUNS = MAX_RUN  # one definition: the runs a view block may name are the app's at most
MAX_STEPS = 100_000
MAX_BATCH = 1e9  # a larger emulated batch is no noise at all for float64 gradients
BATCH_CHOICES = (4096.0, 1024.0, 256.0, 64.0, 16.0, 4.0, 1.0)
CUSTOM = "custom"
FULL_BATCH = "full"  # an emulated batch of every example: exact gradients, no noise
DEFAULT_EXPR = "x**2 + 10*y**2"
DEFAULT_RANGE = (-3.0, 3.0)

# Optimizer families: what the user picks; the switches choose the engine name within.
FAMILIES: dict[str, tuple[str, ...]] = {
    "sgd": ("sgd",),
    "momentum": ("momentum", "nesterov"),
    "adagrad": ("adagrad", "adagrad_lecture"),
    "rmsprop": ("rmsprop", "rmsprop_lecture"),
    "adam": ("adam", "adamw", "amsgrad"),
    "nadam": ("nadam",),
    "radam": ("radam",),
    "adadelta": ("adadelta",),
}
FAMILY_OF = {name: fam for fam, names in FAMILIES.items() for name in names}
# Switches that pick another engine optimizer rather than set a parameter:
# switch -> {family: (engine name when off, engine name when on)}.
NAME_SWITCHES: dict[str, dict[str, tuple[str, str]]] = {
    "lecture": {
        "adagrad": ("adagrad", "adagrad_lecture"),
        "rmsprop": ("rmsprop", "rmsprop_lecture"),
    },
    "nesterov": {"momentum": ("momentum", "nesterov")},
    "decoupled": {"adam": ("adam", "adamw")},
}
# Short, language-neutral names for automatic labels. The lecture's Adagrad and RMSProp
# are this course's plain "Adagrad" and "RMSProp"; torch's forms are marked.
SHORT_NAMES = {
    "sgd": "GD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "Adagrad (torch)",
    "adagrad_lecture": "Adagrad",
    "rmsprop": "RMSProp (torch)",
    "rmsprop_lecture": "RMSProp",
    "adam": "Adam",
    "adamw": "AdamW",
    "amsgrad": "AMSGrad",
    "nadam": "NAdam",
    "radam": "RAdam",
    "adadelta": "Adadelta",
}
# Schedule parameters the UI sets itself: OneCycle must cover every step, and momentum
# cycling is not modelled by the engine.
SCHEDULE_AUTO = {"onecycle": ("total_steps", "cycle_momentum")}


@dataclass
class RunState:
    optimizer: str
    params: dict[str, Any] = field(default_factory=dict)  # engine names; missing = default
    schedule: dict[str, Any] | None = None  # {"name", "params"}; None = constant
    label: str = ""  # "" = automatic: short optimizer name and eta (see auto_labels)
    batch: dict[str, int] | None = None  # the run's own mini-batch {"size", "seed"} (data sets)
    # The run's own emulated batch (its gradient noise): None follows the scenario's,
    # FULL_BATCH has exact gradients, a number B the noise of a batch of B examples.
    emulated: float | str | None = None


@dataclass
class AppState:
    surface: str = "ravine"  # a built-in name, or CUSTOM
    expr: str = DEFAULT_EXPR
    x_range: tuple[float, float] = DEFAULT_RANGE
    y_range: tuple[float, float] = DEFAULT_RANGE
    start: tuple[float, float] | None = None  # None: the surface's own start
    steps: int = 300
    runs: list[RunState] = field(default_factory=list)
    batch: float | None = None  # None: full batch (no noise)
    seed: int = 0
    lang: str = "en"
    present: bool = False
    view: str = "map"
    arrows: tuple[str, ...] = ()
    step: int = 0  # the step where the clock stands (the figure's slider, reported back)
    loss_axis: str = "linear"  # the loss panel from 0, or "log"
    whole: bool = False  # paths drawn whole instead of revealed as played
    local: int = 0  # the run (1-based) whose local quadratic model is drawn; 0: none
    zoom: tuple[float, float] | None = None  # the panels' step range (a preset's view)
    map_x: tuple[float, float] | None = None  # the map's zoom (a preset's view)
    map_y: tuple[float, float] | None = None
    panels: tuple[str, ...] | None = None  # the four trace panels (a preset's view); None: the usual
    pins: tuple[tuple[str, int, int | None], ...] = ()  # (panel, step, run or None) printed (a preset's view)
    # Data sets and mini-batches (issue 12): ``surface`` then names a data set.
    data: dict[str, Any] = field(default_factory=dict)  # the data set's parameters
    mb: dict[str, int] | None = None  # the scenario's mini-batch {"size", "seed"}; None: all
    axis: str = "updates"  # the panels' step axis: updates or epochs of data
    seeds: int = 0  # each batch run's ends counted over this many batch seeds (lab.seeds); 0: off


def default_runs() -> list[RunState]:
    """The lecture's ravine story in three runs: GD with eta = 1e-2 bounces between the walls
    (oscillating), GD with a tiny eta creeps (crawling), Adam's per-parameter steps reach
    the minimum."""
    return [
        RunState("sgd", {"lr": 1e-2}),
        RunState("sgd", {"lr": 1e-4}),
        RunState("adam", {"lr": 0.1}),
    ]


def default_state() -> AppState:
    return AppState(runs=default_runs())


def new_run() -> RunState:
    """The run "Add an optimizer" appends: the lecture's RMSProp, a step that suits most
    surfaces."""
    return RunState("rmsprop_lecture", {"lr": 0.1})


def run_params(run: RunState) -> dict[str, Any]:
    """The run's parameters restricted to what its optimizer takes, defaults filled in."""
    return {p.name: run.params.get(p.name, p.default) for p in OPTIMIZERS[run.optimizer].params}


def normalize_run(run: RunState) -> RunState:
    """'amsgrad' is Adam with amsgrad on: show it as the Adam family with its switch."""
    if run.optimizer == "amsgrad":
        return replace(run, optimizer="adam", params={**run.params, "amsgrad": True})
    return run


# --- labels ---------------------------------------------------------------------------------
def auto_labels(runs: list[RunState]) -> list[str]:
    """Each run's label: its own, or "GD η=0.01"-style text that is the same in every
    language (so switching the language does not change the scenario and recompute)."""
    out = [run.label or _auto_label(run) for run in runs]
    repeated = {label for label in out if out.count(label) > 1}
    out = [f"{label} #{i + 1}" if label in repeated else label for i, label in enumerate(out)]
    return [label[:MAX_LABEL] for label in out]


# A schedule in an automatic label: torch's class name, which reads the same in English and
# Chinese (as the optimizers' names do); the lecture's warm-up is torch's LinearLR.
SCHEDULE_LABELS = {
    "step": "StepLR",
    "exponential": "ExponentialLR",
    "cosine": "CosineAnnealingLR",
    "linear": "LinearLR",
    "warmup_cosine": "LinearLR→CosineAnnealingLR",
    "onecycle": "OneCycleLR",
}


def _auto_label(run: RunState) -> str:
    name = SHORT_NAMES[run.optimizer]
    if run.schedule is not None and run.schedule["name"] == "onecycle":
        return f"{name} + OneCycleLR η_max={fmt_short(run.schedule['params'].get('max_lr', 0.0))}"
    text = f"{name} η={fmt_short(run_params(run)['lr'])}"
    text = text if run.schedule is None else f"{text} + {SCHEDULE_LABELS[run.schedule['name']]}"
    return text + emulated_label(run.emulated)


def emulated_label(emulated: float | str | None) -> str:
    """What an automatic label adds for a run's own emulated batch (", B=4096", ", full batch")."""
    if emulated is None:
        return ""
    return ", full batch" if emulated == FULL_BATCH else f", B={float(emulated):g}"


def name_label(label: str, optimizer: str, schedule: dict | None) -> str:
    """A run's name without its eta ("GD", "Adam + CosineAnnealingLR"), or its own label when
    it has one (an automatic label starts with the optimizer's name and eta): what names a
    run where a name must not change at every notch of eta (Streamlit makes a widget whose
    label changes a new one, which the browser draws from scratch)."""
    name = SHORT_NAMES[optimizer]
    if label and not label.startswith((f"{name} η=", f"{name} + OneCycleLR")):
        return label[:MAX_LABEL]
    return name if schedule is None else f"{name} + {SCHEDULE_LABELS[schedule['name']]}"


def fmt_short(v: float) -> str:
    """A hyperparameter for a label or a slider, the way the lecture writes it: 0.01, 0.3,
    1e-4, 2e-7, 10."""
    v = float(v)
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        mant, exp = f"{v:.2e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}e{int(exp)}"
    return f"{v:.3g}"


# --- schedules ------------------------------------------------------------------------------
# Starting values for a schedule's required parameters that fit the run's length.
_FITTED: dict[str, Callable[[float, int], dict[str, Any]]] = {
    "step": lambda lr, steps: {"step_size": max(1, steps // 3)},
    # down to 1 % at the end
    "exponential": lambda lr, steps: {"gamma": float(f"{0.01 ** (1 / max(steps, 1)):.4g}")},
    "cosine": lambda lr, steps: {"T_max": max(1, steps)},
    "warmup_cosine": lambda lr, steps: {
        "total_iters": max(1, steps // 10),
        "T_max": max(1, steps - max(1, steps // 10)),
    },
    "linear": lambda lr, steps: {"total_iters": max(1, steps // 5)},
    "onecycle": lambda lr, steps: {"max_lr": lr},
}


def schedule_defaults(name: str, lr: float, steps: int) -> dict[str, Any]:
    """Starting values for a schedule the user just picked: the engine's defaults, and for
    its required parameters values that fit the current number of steps."""
    auto = SCHEDULE_AUTO.get(name, ())
    out = {
        p.name: p.default
        for p in SCHEDULES[name].params
        if p.name not in auto and p.default is not None
    }
    fitted = _FITTED.get(name)
    return {**out, **(fitted(lr, steps) if fitted else {})}


def schedule_params(name: str, given: dict[str, Any], lr: float, steps: int) -> dict[str, Any]:
    """Every parameter the engine gets for schedule ``name``: the starting values, the user's
    ``given`` ones, and those the UI sets itself (``SCHEDULE_AUTO``)."""
    out = {**schedule_defaults(name, lr, steps), **given}
    if name == "onecycle":
        out.update(total_steps=steps, cycle_momentum=False)
    return out
