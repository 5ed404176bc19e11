"""The optimizers: torch.optim 2.13's, reproduced exactly, plus the lecture's forms.

``OPTIMIZERS[name]`` is an :class:`~optimizers.base.Optimizer`. Each family lives in one
module with its state, hyperparameters, update rule, parameters and LaTeX side by side:

=============  ===============================================
``sgd``        sgd, momentum, nesterov
``adagrad``    adagrad (torch), adagrad_lecture
``rmsprop``    rmsprop (torch), rmsprop_lecture
``adam``       adam, amsgrad, adamw
``nadam``      nadam
``radam``      radam
``adadelta``   adadelta
=============  ===============================================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from optimizers import adadelta, adagrad, adam, nadam, radam, rmsprop, sgd
from optimizers.base import Optimizer

_FAMILIES = (sgd, adagrad, rmsprop, adam, nadam, radam, adadelta)

# torch's optimizers first, then the lecture's forms (the order of lists and menus).
OPTIMIZERS: dict[str, Optimizer] = {
    o.name: o
    for o in sorted(
        (o for family in _FAMILIES for o in family.OPTIMIZERS), key=lambda o: o.follows != "torch"
    )
}


def resolved_params(opt: Optimizer, params: Mapping[str, Any]) -> dict[str, Any]:
    """Defaults filled in, plus the values the name pins (e.g. amsgrad=True for 'amsgrad')."""
    return opt.resolve(params)


def describe() -> list[dict[str, Any]]:
    """Every optimizer with its parameters and defaults (for ``cli.py list``)."""
    return [
        {
            "name": o.name,
            "title": o.title["en"],
            "follows": o.follows,
            "params": {
                p.name: {"default": p.to_json(p.default), "allowed": p.allowed()} for p in o.params
            },
            **({"fixed": dict(o.fixed)} if o.fixed else {}),
        }
        for o in OPTIMIZERS.values()
    ]


__all__ = ["OPTIMIZERS", "Optimizer", "describe", "resolved_params"]
