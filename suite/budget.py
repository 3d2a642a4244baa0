"""Parameter budgets: size a method so that models compare at (almost) the same parameter count.

Under a protocol with ``param_budget``, the runner sets a method's width
hyperparameter (its ``size_key``, e.g. ``hidden``) to the largest value
whose model has at most ``param_budget`` trainable parameters, as
benchmarking-gnns fixes 100k/500k budgets and the KAN paper compares MLPs
and KANs at equal size. The width is chosen when the sweep is planned, so a
row's ``method_config`` holds the width that ran; the worker records
``num_params`` and fails a run whose model is over the budget (a method
without a ``size_key`` cannot be resized).
"""

from __future__ import annotations

from suite.errors import ConfigError
from suite.method import MethodSpec

MAX_WIDTH = 1 << 20


def trainable_params(model) -> int:
    """What a budget counts: the model's trainable parameters (fixed buffers such as random features do not)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def count_params(method: MethodSpec, config: dict, in_channels: int, out_channels: int, **context) -> int:
    return trainable_params(method.build(config, in_channels, out_channels, **context))


def size_to_budget(method: MethodSpec, config: dict, budget: int, in_channels: int, out_channels: int,
                   **context) -> dict:
    """``config`` with ``method.size_key`` set to the largest width (>= 1) whose model fits ``budget``.

    Parameter counts grow with width, so a doubling search then a bisection
    finds it in O(log width) model builds.
    """
    key = method.size_key
    if key is None:
        return config

    def fits(width: int) -> bool:
        return count_params(method, {**config, key: width}, in_channels, out_channels, **context) <= budget

    if not fits(1):
        need = count_params(method, {**config, key: 1}, in_channels, out_channels, **context)
        raise ConfigError(f"method {method.name} has {need:,} parameters at {key}=1, over the parameter budget "
                          f"{budget:,}: raise the budget (protocol param_budget)")
    lo, hi = 1, 2
    while hi <= MAX_WIDTH and fits(hi):
        lo, hi = hi, hi * 2
    while hi - lo > 1:  # fits(lo), not fits(hi)
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return {**config, key: lo}
