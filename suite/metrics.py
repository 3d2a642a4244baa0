"""Metrics: name -> function of (scores or labels, true labels), and its direction."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    fn: Callable[[torch.Tensor, torch.Tensor], float]

    def __call__(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
        return self.fn(y_pred, y_true)


def _accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """``y_pred``: [n, C] class scores or [n] class ids; ``y_true``: [n] class ids."""
    if y_pred.dim() == 2:
        y_pred = y_pred.argmax(dim=-1)
    return (y_pred == y_true).float().mean().item()


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", True, _accuracy),
}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}") from None
