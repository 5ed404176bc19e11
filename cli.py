"""Command line: ``python cli.py simulate SCENARIO.json``, ``python cli.py list``,
``python cli.py render SCENARIO.json -o OUT.png`` and ``python cli.py sweep SCENARIO.json -o
MAP.png``.

Invalid input prints one message on stderr and exits with status 2, without a traceback;
a missing system program (Chromium, for image exports) exits with status 3, a renderer
failure with status 1. A scenario whose estimated work exceeds the budget (``--budget``
seconds of CPU, the app's 3 s by default) is refused with status 2 before it runs. The JSON
printed is always valid JSON: no ``NaN`` or ``Infinity`` (a non-finite number is ``null``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_MISSING_DEPENDENCY = 3


class CliError(Exception):
    """A problem printed as one line; exit status 2 (the user's input) unless told."""

    def __init__(self, message: str, status: int = EXIT_INVALID) -> None:
        super().__init__(message)
        self.status = status


def load_scenario_file(path: str) -> Any:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"scenario file {path!r} does not exist")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CliError(f"{path}: not valid JSON ({e})") from None


def with_batch_options(scenario: Any, args: argparse.Namespace) -> Any:
    """The scenario with ``--batch-size`` / ``--batch-seed`` as its top-level ``batch`` (runs
    with a batch of their own keep it); the engine validates it like any other value."""
    size, seed = getattr(args, "batch_size", None), getattr(args, "batch_seed", None)
    if size is None and seed is None:
        return scenario
    if not isinstance(scenario, dict):
        raise CliError("--batch-size / --batch-seed need a scenario object")
    batch = dict(scenario.get("batch") or {})
    if size is not None:
        batch["size"] = size
    if seed is not None:
        batch["seed"] = seed
    return {**scenario, "batch": batch}


def add_batch_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--batch-size", dest="batch_size", type=int, help="data sets: mini-batch size B (>= N: all)"
    )
    p.add_argument("--batch-seed", dest="batch_seed", type=int, help="data sets: shuffle seed")


def budget_seconds(text: str) -> float:
    """The ``--budget`` option: seconds of CPU, a finite number in (0, MAX_BUDGET]."""
    from lab.budget import MAX_BUDGET

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= MAX_BUDGET:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"--budget = {text[:80]!r} is invalid; allowed: seconds of CPU, 0 < budget <= "
            f"{MAX_BUDGET:g}"
        )
    return value


def run_scenario(scenario: Any, budget: float, record_state: bool = False) -> Any:
    """``lab.simulate`` within the work budget; over it, the message names the flag
    (``record_state``: a view's moments panel reads the optimizers' state)."""
    from lab import simulate
    from lab.budget import BudgetError

    try:
        return simulate(scenario, budget=budget, record_state=record_state)
    except BudgetError as e:
        raise CliError(f"{e} (or allow more with --budget SECONDS)") from None


def write_json(value: Any, compact: bool) -> None:
    """Strict JSON on stdout (``allow_nan=False``): the result holds only finite numbers."""
    text = json.dumps(value, indent=None if compact else 1, allow_nan=False)
    sys.stdout.write(text + "\n")


def cmd_simulate(args: argparse.Namespace) -> int:
    result = run_scenario(with_batch_options(load_scenario_file(args.scenario), args), args.budget)
    write_json(result.to_dict(), args.compact)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    import optimizers
    import surfaces
    from lab.diagnostics import THRESHOLDS
    from lab.scenario import BATCH_SEED, BATCH_SIZE
    from optimizers import schedules
    from surfaces import data

    info = {
        "surfaces": surfaces.describe(),
        "data_sets": data.describe(),
        "batch": {"size": BATCH_SIZE.allowed(), "seed": BATCH_SEED.allowed()},
        "custom_surface": {
            "expr": "a formula in x and y: numbers, x, y, pi, e, + - * / ** ^, parentheses, "
            "exp log sqrt sin cos tan tanh abs",
            "x_range": [-3.0, 3.0],
            "y_range": [-3.0, 3.0],
        },
        "optimizers": optimizers.describe(),
        "schedules": schedules.describe(),
        "verdict_thresholds": THRESHOLDS,
    }
    if args.json:
        json.dump(info, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    out = ["Surfaces:"]
    for s in info["surfaces"]:
        out.append(f"  {s['name']:<16} {s['description']}")
        out.append(f"  {'':<16} range x {s['x_range']}, y {s['y_range']}; start {s['start']}")
    out.append("  {\"expr\": ...}     " + info["custom_surface"]["expr"])
    out += _data_set_lines(info)
    out.append("\nOptimizers (parameter=default  [allowed]):")
    for o in info["optimizers"]:
        out.append(f"  {o['name']:<16} {o['title']}  (follows {o['follows']})")
        for name, p in o["params"].items():
            out.append(f"  {'':<18}{name}={json.dumps(p['default'])}  [{p['allowed']}]")
        if "fixed" in o:
            out.append(f"  {'':<18}fixed: {json.dumps(o['fixed'])}")
    out.append("\nSchedules (torch.optim.lr_scheduler counterpart):")
    for s in info["schedules"]:
        out.append(f"  {s['name']:<16} {s['torch']}")
        for name, p in s["params"].items():
            d = "required" if p.get("required") else f"={json.dumps(p['default'])}"
            out.append(f"  {'':<18}{name}{' ' if d == 'required' else ''}{d}  [{p['allowed']}]")
        if "note" in s:
            out.append(f"  {'':<18}note: {s['note']}")
    print("\n".join(out))
    return 0


def _data_set_lines(info: dict[str, Any]) -> list[str]:
    out = ['\nData sets ("surface": {"data": NAME, ...}; "batch": {"size": B, "seed": s}):']
    for d in info["data_sets"]:
        out.append(f"  {d['name']:<18} {d['description']}")
        for name, p in d["params"].items():
            out.append(f"  {'':<18}{name}={json.dumps(p['default'])}  [{p['allowed']}]")
    b = info["batch"]
    out.append(f"  batch              size [{b['size']}], seed [{b['seed']}]")
    return out


RENDER_OPTIONS = {  # option name in export.APPLIES -> how the user wrote it
    "view": "--view",
    "lang": "--lang",
    "width": "--width",
    "height": "--height",
    "scale": "--scale",
    "frames": "--frames",
    "frame_ms": "--frame-ms",
    "step": "--step",
}


def preset_scenario(name: str) -> dict[str, Any]:
    """A preset's scenario by file stem ("05_saddle_point"), the part after the number
    ("saddle_point") or the number ("05"): ``lab.presets.get_preset``, as the app's links."""
    from lab.presets import get_preset

    return get_preset(name).scenario  # ValueError naming every preset when unknown


def preset_look(name: str) -> dict[str, Any]:
    """The view a preset opens in, in the app and the gallery alike (its zoom, panels, local
    model ...: ``figures.view.view_options``)."""
    from figures.view import view_options
    from lab.presets import get_preset

    return view_options(get_preset(name).view)


def _file_look(preset: dict[str, Any]) -> dict[str, Any]:
    from figures.view import ViewError, view_options

    try:
        return view_options(preset.get("view") or {})
    except ViewError as e:
        raise CliError(str(e)) from None


def cmd_render(args: argparse.Namespace) -> int:
    import logging

    import export

    # The browser libraries log their own warnings on failures that export reports as one
    # line (and exit status) of its own.
    for name in ("choreographer", "kaleido", "logistro"):
        logging.getLogger(name).setLevel(logging.CRITICAL)

    fmt = export.format_for_path(args.output)
    given = {k: getattr(args, k) for k in RENDER_OPTIONS if getattr(args, k) is not None}
    for key in given:
        if fmt not in export.APPLIES[key]:
            allowed = ", ".join(export.APPLIES[key])
            raise CliError(
                f"{RENDER_OPTIONS[key]} does not apply to .{fmt}; it applies to {allowed}"
            )
    if (args.scenario is None) == (args.preset is None):
        raise CliError("give either a scenario file or --preset NAME (exactly one)")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"output folder {str(out.parent)!r} does not exist")
    look: dict[str, Any] = {}
    if args.preset is not None:
        scenario = preset_scenario(args.preset)
        look = preset_look(args.preset)
    else:
        scenario = load_scenario_file(args.scenario)
    if isinstance(scenario, dict) and isinstance(scenario.get("scenario"), dict):
        look = _file_look(scenario)
        scenario = scenario["scenario"]  # a preset file (presets/*.json) given as the scenario
    from figures.view import needs_state

    result = run_scenario(with_batch_options(scenario, args), args.budget, needs_state(look))
    try:
        data = export.render(result, fmt, **given, **({"look": look} if look else {}))
    except export.MissingDependencyError as e:
        raise CliError(str(e), EXIT_MISSING_DEPENDENCY) from None
    except export.RenderError as e:
        raise CliError(str(e), EXIT_FAILED) from None
    try:
        out.write_bytes(data)
    except OSError as e:
        raise CliError(f"cannot write {str(out)!r}: {e.strerror or e}") from None
    print(f"wrote {out} ({len(data) / 1024:.0f} kB)")
    return 0


SWEEP_OPTIONS = {"lang": "--lang", "width": "--width", "height": "--height", "scale": "--scale", "shade": "--shade", "coloring": "--color"}


def cmd_sweep(args: argparse.Namespace) -> int:
    """A map (or maps side by side) of the scenarios' sweeps, as a picture or the cells' numbers."""
    import logging

    from export import MissingDependencyError, RenderError, format_for_path
    from export.maps import PICTURES, SWEEP_FORMATS, render_sweep
    from lab import sweep

    for name in ("choreographer", "kaleido", "logistro"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    fmt = format_for_path(args.output)
    if fmt not in SWEEP_FORMATS:
        raise CliError(f"output {args.output!r}: a map is written as {', '.join('.' + f for f in SWEEP_FORMATS)}")
    given = {k: getattr(args, k) for k in SWEEP_OPTIONS if getattr(args, k) is not None}
    if fmt not in PICTURES and given:
        used = ", ".join(SWEEP_OPTIONS[k] for k in given)
        raise CliError(f"{used} does not apply to .{fmt}; it applies to {', '.join(PICTURES)}")
    sources = [("file", f) for f in args.scenario] + [("preset", p) for p in args.preset or []]
    if not sources:
        raise CliError("give a scenario file or --preset NAME (several: maps side by side)")
    out = Path(args.output)
    if not out.parent.is_dir():
        raise CliError(f"output folder {str(out.parent)!r} does not exist")
    results = []
    for kind, name in sources:
        scenario = preset_scenario(name) if kind == "preset" else load_scenario_file(name)
        if isinstance(scenario, dict) and isinstance(scenario.get("scenario"), dict):
            scenario = scenario["scenario"]  # a preset file given as the scenario
        results.append(sweep(scenario))
    try:
        data = render_sweep(results, fmt, **given)
    except MissingDependencyError as e:
        raise CliError(str(e), EXIT_MISSING_DEPENDENCY) from None
    except RenderError as e:
        raise CliError(str(e), EXIT_FAILED) from None
    try:
        out.write_bytes(data)
    except OSError as e:
        raise CliError(f"cannot write {str(out)!r}: {e.strerror or e}") from None
    cells = sum(k is not None for r in results for row in r.kind for k in row)
    seconds = sum(r.seconds for r in results)
    print(f"wrote {out} ({len(data) / 1024:.0f} kB): {cells:,} runs in {seconds:.1f} s")
    return 0


def _sweep_parser(sub: Any) -> None:
    p = sub.add_parser(
        "sweep",
        help="map a scenario's sweep (every cell one run) as png, svg, pdf, csv or json",
        description="Run every cell of a scenario's \"sweep\" (one run per pair of values, all "
        "in one batch), judge each like the run alone, and write the map: .png .svg .pdf "
        "(the figure; several scenarios or presets side by side; needs Chromium) or .csv "
        ".json (the cells' numbers, one scenario).",
    )
    p.add_argument("scenario", nargs="*", help="scenario JSON files with a \"sweep\" key")
    p.add_argument("--preset", action="append", help="a preset with a sweep, e.g. 22_momentum_stable_region (repeatable)")
    p.add_argument("-o", "--output", required=True, help="output file; its suffix picks the format")
    p.add_argument("--lang", help="language of the labels: en (default) or zh")
    p.add_argument("--width", type=int, help="width in layout pixels")
    p.add_argument("--height", type=int, help="height in layout pixels")
    p.add_argument("--scale", type=float, help="png/svg/pdf: pixels per layout pixel (default 1)")
    p.add_argument("--shade", help="loss (default), rate or none")
    p.add_argument("--color", dest="coloring", help="kind (the verdict) or basin (the minimum each cell ends at)")
    p.set_defaults(func=cmd_sweep)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cli.py", description="Optimizer lab: simulate and export.")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("simulate", help="run a scenario file and print the result as JSON")
    p.add_argument("scenario", help="path to a scenario JSON file")
    p.add_argument("--compact", action="store_true", help="print JSON on one line")
    add_budget(p)
    add_batch_options(p)
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("list", help="list surfaces, optimizers and schedules with their defaults")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser(
        "render",
        help="export a scenario or preset as png, svg, pdf, gif, html, csv or json",
        description="Export a scenario (or a lecture preset) as a picture, an animation, an "
        "interactive page or its numbers; the suffix of OUT picks the format: .png .svg .pdf "
        "(static figure), .gif (animation), .html (interactive, works offline), .csv .json "
        "(numbers). Images need Chromium (apt-get install chromium).",
    )
    p.add_argument("scenario", nargs="?", help="path to a scenario JSON file")
    p.add_argument("--preset", help="a lecture preset instead of a file, e.g. 05_saddle_point")
    p.add_argument("-o", "--output", required=True, help="output file; its suffix picks the format")
    p.add_argument("--view", help="map (default), 3d, traces or all (map + traces)")
    p.add_argument("--lang", help="language of the labels: en (default) or zh")
    p.add_argument("--width", type=int, help="width in layout pixels")
    p.add_argument("--height", type=int, help="height in layout pixels")
    p.add_argument("--scale", type=float, help="png/svg/pdf: pixels per layout pixel (default 1)")
    p.add_argument("--frames", type=int, help="gif/html: animation frames (default 40 / 120)")
    p.add_argument(
        "--frame-ms", dest="frame_ms", type=int, help="gif/html: ms per frame (default 100 / 60)"
    )
    p.add_argument(
        "--step", type=int, help="step the marked points are at (default: last; html: 0)"
    )
    add_budget(p)
    add_batch_options(p)
    p.set_defaults(func=cmd_render)
    _sweep_parser(sub)
    return ap


def add_budget(p: argparse.ArgumentParser) -> None:
    from lab.budget import BUDGET_SECONDS, MAX_BUDGET

    p.add_argument(
        "--budget",
        type=budget_seconds,
        default=BUDGET_SECONDS,
        metavar="SECONDS",
        help=f"the most work to accept, in seconds of CPU (default {BUDGET_SECONDS:g}, the "
        f"app's; up to {MAX_BUDGET:g}): a larger scenario is refused before it runs",
    )


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CliError as e:
        print(f"error: {e}", file=sys.stderr)
        return e.status
    except ValueError as e:  # ScenarioError and export.ExportError are ValueErrors
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
