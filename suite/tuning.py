"""Tuning budgets: which configurations of a method a sweep runs.

A method declares its search space (``grid``: hyperparameter -> values) at
registration; the task's protocol, or a sweep overriding it, declares the
budget ``trials`` (configurations per method, the same for every method).
The space is the grid with the sweep's fixed overrides (``--config``, a
suite's ``method_overrides``) collapsed to one value. If the whole space
fits the budget, it is searched exhaustively; otherwise ``budget``
distinct points are drawn from it by a seeded random sampler
(``search_seed``, and the method's name, so every method's draw is fixed
and independent of which other methods are in the sweep). ``trials=1``
runs the paper's defaults only.

Every configuration runs on every seed, and the leaderboard shows the one
with the best mean *validation* metric; rows carry the searched space
(:func:`disclosure`) so the page can print it OGB-style: ``lr: [0.001*, 0.01]``.
The sweep is planned up front (so run keys and resume are deterministic), which
rules out adaptive samplers such as TPE here.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math

import numpy as np

from suite.errors import ConfigError
from suite.method import MethodSpec

SAMPLERS = ("random",)


def search_space(method: MethodSpec, fixed: dict) -> dict[str, list]:
    """The method's grid with ``fixed`` keys collapsed to their one value (keys sorted)."""
    space = {k: list(v) for k, v in method.grid.items()}
    for key, value in method.resolve(fixed).items():
        if key in fixed or key not in space:
            space[key] = [value]
    return {k: space[k] for k in sorted(space)}


def configs(method: MethodSpec, fixed: dict, trials: int, sampler: str = "random",
            seed: int = 0) -> tuple[list[dict], str | None]:
    """The configurations to run and the JSON disclosure of the search (None: paper defaults only)."""
    if trials < 1:
        raise ConfigError(f"the tuning budget (trials) must be at least 1, got {trials}")
    if trials == 1:
        return [method.resolve(fixed)], None
    if sampler not in SAMPLERS:
        raise ConfigError(f"unknown sampler {sampler!r}: use one of {', '.join(SAMPLERS)}")
    space = search_space(method, fixed)
    keys, sizes = list(space), [len(v) for v in space.values()]
    total = math.prod(sizes)
    if total <= trials:
        points, used = list(itertools.product(*space.values())), "grid"
    else:
        salt = int.from_bytes(hashlib.sha256(method.name.encode()).digest()[:8], "little")
        rng = np.random.default_rng([seed, salt])
        flat = sorted(int(i) for i in rng.choice(total, size=trials, replace=False))
        points = [tuple(space[k][j] for k, j in zip(keys, np.unravel_index(i, sizes))) for i in flat]
        used = sampler
    out = [method.resolve({**fixed, **dict(zip(keys, p))}) for p in points]
    info = {"space": space, "budget": trials, "sampler": used, "seed": seed, "trials": len(out), "size": total}
    return out, json.dumps(info, sort_keys=True, default=str)


def disclosure(search_json: str | None, config_json: str) -> str:
    """OGB-style: every searched hyperparameter with more than one value, ``*`` on the chosen one."""
    if not isinstance(search_json, str) or not search_json:
        return "paper defaults"
    info, config = json.loads(search_json), json.loads(config_json)
    parts = [f"{k}: [{', '.join(f'{v}*' if v == config.get(k) else f'{v}' for v in values)}]"
             for k, values in info["space"].items() if len(values) > 1]
    head = f"{info['sampler']} {info['trials']}/{info['size']}"
    return f"{head}: {'; '.join(parts)}" if parts else head
