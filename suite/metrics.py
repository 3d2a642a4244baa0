"""Metrics: name -> function of (scores or labels, true labels), and its direction.

Node classification: ``accuracy``. Example tables: ``accuracy``, ``rmse`` and
``mae`` (lower is better), ``exact_match``/``bit_accuracy`` for k-bit outputs. Link prediction (binary labels, one score
per candidate pair): ``hits@K`` and ``mrr`` rank every positive against the
shared negatives as OGB's link evaluator does, ``roc_auc`` counts ties as one
half (Mann-Whitney) and averages over tasks for multi-label targets with
missing labels (graph track: MoleculeNet's Tox21, OGB's ``rocauc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch


@dataclass(frozen=True)
class Metric:
    name: str
    higher_is_better: bool
    fn: Callable[[torch.Tensor, torch.Tensor], float]
    percent: bool = True  # shown x100 on the leaderboard

    def __call__(self, y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
        return self.fn(y_pred, y_true)


def _accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """``y_pred``: [n, C] class scores or [n] class ids; ``y_true``: [n] class ids."""
    if y_pred.dim() == 2:
        y_pred = y_pred.argmax(dim=-1)
    return (y_pred == y_true).float().mean().item()


def _pos_neg(y_pred: torch.Tensor, y_true: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = y_pred.view(-1).double()
    return y_pred[y_true.view(-1) == 1], y_pred[y_true.view(-1) == 0]


def _hits(k: int) -> Callable[[torch.Tensor, torch.Tensor], float]:
    def hits(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
        """Share of positives scored strictly above the K-th highest negative (OGB; all hit if fewer than K)."""
        pos, neg = _pos_neg(y_pred, y_true)
        if neg.numel() < k:
            return 1.0
        kth = torch.topk(neg, k).values[-1]
        return (pos > kth).double().mean().item()

    return hits


def _standing(y_pred: torch.Tensor, y_true: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Per positive: negatives scored strictly below it, negatives tied with it; and the number of negatives."""
    pos, neg = _pos_neg(y_pred, y_true)
    neg = torch.sort(neg).values
    below = torch.searchsorted(neg, pos, right=False)
    return below, torch.searchsorted(neg, pos, right=True) - below, neg.numel()


def _mrr(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """Mean reciprocal rank of each positive among all negatives; ties count half (OGB's rank)."""
    below, tied, n_neg = _standing(y_pred, y_true)
    rank = 1 + (n_neg - below - tied) + 0.5 * tied
    return (1.0 / rank.double()).mean().item()


def _roc_auc(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """P(score of a random positive > a random negative), ties counted one half.

    Multi-label (``y_true`` [n, T] in {0, 1} with NaN for a missing label, ``y_pred`` [n, T] logits, as
    MoleculeNet's Tox21): the mean over tasks of each task's ROC-AUC on its present labels, over the tasks
    with both classes present (OGB's ``rocauc``).
    """
    if y_true.dim() == 2:
        aucs = []
        for t in range(y_true.size(1)):
            present = ~torch.isnan(y_true[:, t])
            col = y_true[present, t]
            if (col == 1).any() and (col == 0).any():
                aucs.append(_roc_auc(y_pred[present, t], col))
        if not aucs:
            raise ValueError("roc_auc: no task has both positive and negative labels")
        return float(sum(aucs) / len(aucs))
    below, tied, n_neg = _standing(y_pred, y_true)
    return ((below + 0.5 * tied).double().sum() / (below.numel() * n_neg)).item()


def _rmse(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """Root mean squared error of real predictions [n] (or [n, 1]) against targets [n]."""
    return torch.sqrt(torch.mean((y_pred.view(-1).double() - y_true.view(-1).double()) ** 2)).item()


def _mae(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    return torch.mean((y_pred.view(-1).double() - y_true.view(-1).double()).abs()).item()


def _bits(y_pred: torch.Tensor) -> torch.Tensor:
    """Bit logits [n, k] -> bits (a logit above 0 is a 1)."""
    return (y_pred > 0).long()


def _exact_match(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    """Share of rows whose every bit is right: ``y_pred`` [n, k] logits, ``y_true`` [n, k] in {0, 1}."""
    return (_bits(y_pred) == y_true.long()).all(dim=1).double().mean().item()


def _bit_accuracy(y_pred: torch.Tensor, y_true: torch.Tensor) -> float:
    return (_bits(y_pred) == y_true.long()).double().mean().item()


METRICS: dict[str, Metric] = {
    "accuracy": Metric("accuracy", True, _accuracy),
    "hits@20": Metric("hits@20", True, _hits(20)),
    "hits@50": Metric("hits@50", True, _hits(50)),
    "hits@100": Metric("hits@100", True, _hits(100)),
    "mrr": Metric("mrr", True, _mrr),
    "roc_auc": Metric("roc_auc", True, _roc_auc),
    "rmse": Metric("rmse", False, _rmse, percent=False),
    "mae": Metric("mae", False, _mae, percent=False),
    "exact_match": Metric("exact_match", True, _exact_match),
    "bit_accuracy": Metric("bit_accuracy", True, _bit_accuracy),
}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}") from None
