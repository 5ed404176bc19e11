"""Command line: ``python cli.py simulate SCENARIO.json`` and ``python cli.py list``.

Invalid input prints one message on stderr and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_INVALID = 2


class CliError(Exception):
    """A problem with the user's input: printed as one line, exit status 2."""


def load_scenario_file(path: str) -> Any:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"scenario file {path!r} does not exist")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CliError(f"{path}: not valid JSON ({e})") from None


def cmd_simulate(args: argparse.Namespace) -> int:
    from lab import simulate

    result = simulate(load_scenario_file(args.scenario))
    json.dump(result.to_dict(), sys.stdout, indent=None if args.compact else 1)
    sys.stdout.write("\n")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    import optimizers
    import surfaces
    from lab.diagnostics import THRESHOLDS
    from optimizers import schedules

    info = {
        "surfaces": surfaces.describe(),
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


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="cli.py", description="Optimizer lab: simulate and export.")
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("simulate", help="run a scenario file and print the result as JSON")
    p.add_argument("scenario", help="path to a scenario JSON file")
    p.add_argument("--compact", action="store_true", help="print JSON on one line")
    p.set_defaults(func=cmd_simulate)
    p = sub.add_parser("list", help="list surfaces, optimizers and schedules with their defaults")
    p.add_argument("--json", action="store_true", help="print as JSON")
    p.set_defaults(func=cmd_list)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (CliError, ValueError) as e:  # ScenarioError is a ValueError
        print(f"error: {e}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
