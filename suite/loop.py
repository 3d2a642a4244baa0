"""The one training loop. Every method on every track is trained here."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

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
    steps: int = 0  # optimiser steps of the reported round
    history: list[dict] = field(default_factory=list)  # per epoch: round, epoch, step, val, val_loss, train
    rounds: list[dict] = field(default_factory=list)  # per round: best epoch, its step and validation metric


def _better(score: tuple, best: tuple | None) -> bool:
    return best is None or score > best


def train_epoch(model: torch.nn.Module, objective, optimizer: torch.optim.Optimizer, epoch: int = 0,
                step: int = 0, max_steps: int | None = None) -> int:
    """One pass over the objective's training batches: a gradient step per batch.

    Stops early once ``step`` reaches ``max_steps``; returns the step count
    after the pass. A model that defines ``on_step(step)`` is told each step
    (a pruning method keeps the weights it will rewind to). Raises
    :class:`TrainingDiverged` on a NaN or infinite loss.
    """
    model.train()
    on_step = getattr(model, "on_step", None)
    for batch in objective.train_batches():
        if max_steps is not None and step >= max_steps:
            break
        optimizer.zero_grad(set_to_none=True)
        loss = objective.loss(model, batch)
        if not torch.isfinite(loss):
            raise TrainingDiverged(f"loss became {loss.item()} at epoch {epoch}")
        loss.backward()
        optimizer.step()
        step += 1
        if on_step is not None:
            on_step(step)
    return step


def fit(model: torch.nn.Module, objective, optimizer: torch.optim.Optimizer | None, *, epochs: int,
        patience: int | None, higher_is_better: bool, max_steps: int | None = None, stop_at: float | None = None,
        eval_every: int | None = None, new_optimizer: Callable[[], torch.optim.Optimizer] | None = None) -> FitResult:
    """Train for up to ``epochs`` epochs (and ``max_steps`` optimiser steps), validating after each epoch.

    Selection key: validation metric (direction from the task), ties broken by
    lower validation loss. The test output kept is the one of the selected
    epoch; stops after ``patience`` epochs without a better key, or once the
    validation metric reaches ``stop_at``. With ``eval_every`` N, validation
    (and so selection and patience) happens every N epochs and after the last. A model
    without trainable parameters (``optimizer is None``) is evaluated once as
    epoch 0 (after ``model.setup(view)`` if it defines one). Raises
    :class:`TrainingDiverged` on a NaN or infinite loss.

    A model with ``rounds > 1`` (iterative pruning) is trained that many
    times: before each later round ``model.next_round(round, history)``
    changes it (prunes, rewinds) and the optimiser starts afresh
    (``new_optimizer``); selection is per round and the last round is reported.
    """
    if hasattr(model, "setup"):
        model.setup(objective.view)
    if optimizer is None:
        model.eval()
        ev = objective.evaluate(model)
        row = {"round": 0, "epoch": 0, "step": 0, "val": ev.val_metric, "val_loss": ev.val_loss,
               "train": ev.train_metric}
        return FitResult(0, 0, ev.val_metric, ev.val_loss, ev.test_output, [], ev.val_metrics, 0, [row],
                         [{"round": 0, "best_epoch": 0, "best_step": 0, "val": ev.val_metric}])
    history, rounds, result = [], [], None
    for r in range(int(getattr(model, "rounds", 1))):
        if r:
            model.next_round(r, history)
            optimizer = new_optimizer()
        result = _fit_round(model, objective, optimizer, r, epochs, patience, higher_is_better, max_steps, stop_at,
                            eval_every or 1, history)
        rounds.append({"round": r, "best_epoch": result.best_epoch, "val": result.val_metric,
                       "best_step": next(h["step"] for h in history if h["round"] == r
                                         and h["epoch"] == result.best_epoch)})
    result.history, result.rounds = history, rounds
    return result


def _fit_round(model, objective, optimizer, rnd: int, epochs: int, patience: int | None, higher_is_better: bool,
               max_steps: int | None, stop_at: float | None, eval_every: int, history: list[dict]) -> FitResult:
    sign = 1.0 if higher_is_better else -1.0
    best_key, best, best_epoch, stale, times, step = None, None, 0, 0, [], 0
    epoch = 0
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        step = train_epoch(model, objective, optimizer, epoch, step, max_steps)
        out_of_budget = max_steps is not None and step >= max_steps
        if epoch % eval_every and epoch < epochs and not out_of_budget:
            continue
        model.eval()
        ev = objective.evaluate(model)
        times.append(time.perf_counter() - start)
        history.append({"round": rnd, "epoch": epoch, "step": step, "val": ev.val_metric, "val_loss": ev.val_loss,
                        "train": ev.train_metric})
        key = (sign * ev.val_metric, -ev.val_loss)
        if _better(key, best_key):
            best_key, best, best_epoch, stale = key, ev, epoch, 0
        else:
            stale += 1
            if patience is not None and stale >= patience:
                break
        if out_of_budget:
            break
        if stop_at is not None and sign * ev.val_metric >= sign * stop_at:
            break
    return FitResult(best_epoch, epoch, best.val_metric, best.val_loss, best.test_output, times, best.val_metrics,
                     step)
