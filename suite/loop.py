"""The one training loop. Every method on every track is trained here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch

from suite.errors import TrainingDiverged


@dataclass
class FitResult:
    best_epoch: int
    epochs: int
    val_metric: float
    val_loss: float
    test_output: torch.Tensor
    epoch_seconds: list[float] = field(default_factory=list)
    val_metrics: dict = field(default_factory=dict)  # every task metric at the selected epoch


def _better(score: tuple, best: tuple | None) -> bool:
    return best is None or score > best


def train_epoch(model: torch.nn.Module, objective, optimizer: torch.optim.Optimizer, epoch: int = 0) -> None:
    """One pass over the objective's training batches: a gradient step per batch.

    Raises :class:`TrainingDiverged` on a NaN or infinite loss.
    """
    model.train()
    for batch in objective.train_batches():
        optimizer.zero_grad(set_to_none=True)
        loss = objective.loss(model, batch)
        if not torch.isfinite(loss):
            raise TrainingDiverged(f"loss became {loss.item()} at epoch {epoch}")
        loss.backward()
        optimizer.step()


def fit(model: torch.nn.Module, objective, optimizer: torch.optim.Optimizer | None, *, epochs: int,
        patience: int | None, higher_is_better: bool) -> FitResult:
    """Train for up to ``epochs`` epochs, validating after each.

    Selection key: validation metric (direction from the task), ties broken by
    lower validation loss. The test output kept is the one of the selected
    epoch; stops after ``patience`` epochs without a better key. A model
    without trainable parameters (``optimizer is None``) is evaluated once as
    epoch 0. Raises :class:`TrainingDiverged` on a NaN or infinite loss.
    """
    sign = 1.0 if higher_is_better else -1.0
    if optimizer is None:
        model.eval()
        ev = objective.evaluate(model)
        return FitResult(0, 0, ev.val_metric, ev.val_loss, ev.test_output, [], ev.val_metrics)

    best_key, best, best_epoch, stale, times = None, None, 0, 0, []
    epoch = 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        train_epoch(model, objective, optimizer, epoch)
        model.eval()
        ev = objective.evaluate(model)
        times.append(time.perf_counter() - start)
        key = (sign * ev.val_metric, -ev.val_loss)
        if _better(key, best_key):
            best_key, best, best_epoch, stale = key, ev, epoch, 0
        else:
            stale += 1
            if patience is not None and stale >= patience:
                break
    return FitResult(best_epoch, epoch, best.val_metric, best.val_loss, best.test_output, times, best.val_metrics)
