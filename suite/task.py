"""Declarative task specs: what a task is, how it is split, scored and trained.

Changing anything that changes a task's numbers (data, split, features,
protocol) must bump ``version``; rows carry ``task_version`` and the
leaderboard never mixes versions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Callable

from suite.datasets.base import LinkDataset, NodeDataset
from suite.datasets.graph import GraphDataset
from suite.datasets.table import TableDataset
from suite.errors import SplitMismatchError
from suite.metrics import get_metric
from suite.registry import TASKS


@dataclass(frozen=True)
class Protocol:
    """How every method is trained and selected on a task (the same for all methods).

    A method's own ``epochs`` (from its paper) is capped at ``max_epochs``.
    Each epoch ends with a validation pass; the reported test metric is the one
    at the epoch with the best validation metric (ties: lower validation loss).
    Training stops after ``patience`` epochs without a better validation score.

    ``trials`` is the tuning budget: configurations per method, the same for
    every method (1: the paper's defaults; see :mod:`suite.tuning`), drawn by
    ``sampler`` with ``search_seed`` when a method's space is larger. Rows
    under different budgets are never ranked together.

    ``batch_nodes`` switches node classification from full-batch to
    mini-batches of that many training nodes, each with its neighbourhood
    sampled by ``num_neighbors`` (fan-out per hop, :mod:`suite.sampling`):
    for graphs whose full-batch training does not fit. Validation and test
    still score the full graph.

    ``max_steps`` caps optimiser steps (the algorithmic tasks' step budget).
    ``param_budget``: every method is sized to the largest width whose
    parameter count stays within it (:mod:`suite.budget`), so methods compare
    at matched size. ``sparsity``: the share of prunable weights a pruning
    method removes (the sparsity track); methods that do not prune ignore it.
    ``stop_at``: training stops once the validation metric reaches this value
    (e.g. 1.0 accuracy on an algorithmic task: no later epoch can beat it but
    by validation loss), which spares the rest of a step budget.
    ``eval_every``: validate every N epochs (and after the last) instead of
    after each, where an epoch is a step or two and validation would
    dominate the cost (16 training rows, thousands of validation rows);
    ``patience`` then counts validations.
    ``retrain``: the task's splits are outer folds of a nested cross-validation
    (Errica et al. 2020, :mod:`suite.nested`): every configuration is trained
    once per fold for selection on the fold's holdout, and each fold's winner
    is retrained ``retrain`` times for its test metric. ``variant`` names a
    reduced version of a task's protocol (e.g. ``"quick"``: a smaller tuning
    budget and fewer epochs), so its rows say so and rank apart.
    """

    seeds: int = 10
    max_epochs: int = 1000
    patience: int | None = 100
    selection: str = "best val metric, ties by lower val loss; test metric at that epoch"
    warmup_epochs: int = 3
    latency_warmup: int = 3
    latency_reps: int = 20
    trials: int = 1
    sampler: str = "random"
    search_seed: int = 0
    batch_nodes: int | None = None
    num_neighbors: tuple[int, ...] = (10, 10)
    max_steps: int | None = None
    param_budget: int | None = None
    sparsity: float | None = None
    stop_at: float | None = None
    eval_every: int | None = None
    retrain: int | None = None
    variant: str | None = None

    def to_dict(self) -> dict:
        """The fields that define the run: ``sampler``/``search_seed`` only with a budget over 1,
        ``num_neighbors`` only with ``batch_nodes`` (so changing an unused field reruns nothing)."""
        return canonical_protocol(asdict(self))


def canonical_protocol(fields: dict) -> dict:
    """``fields`` without the settings that have no effect under the others (see :meth:`Protocol.to_dict`)."""
    out = dict(fields)
    if out.get("trials", 1) <= 1:
        out.pop("sampler", None)
        out.pop("search_seed", None)
    if not out.get("batch_nodes"):
        out.pop("batch_nodes", None)
        out.pop("num_neighbors", None)
    for key in ("max_steps", "param_budget", "sparsity", "stop_at", "eval_every", "retrain", "variant"):  # unset: absent, so run keys of tasks without them stay as they were
        if out.get(key) is None:
            out.pop(key, None)
    if "num_neighbors" in out:
        out["num_neighbors"] = list(out["num_neighbors"])
    return out


@dataclass(frozen=True)
class TaskSpec:
    name: str
    track: str
    dataset: str
    metric: str
    split: str
    num_splits: int
    split_sha256: str
    loader: Callable[[], NodeDataset | LinkDataset | TableDataset | GraphDataset] = field(repr=False, compare=False)
    version: int = 1
    extra_metrics: tuple[str, ...] = ()  # also reported (rows' val_metrics/test_metrics); never select
    protocol: Protocol = Protocol()
    synthetic: bool = False
    large: bool = False  # left out of '*' in sweeps (the quick suite); run by name or with --suite large
    probe: bool = False  # a tiny task `netarena submit` dry-runs methods on; never listed, never in '*'
    description: str = ""
    source: str = ""
    # Protocol variants every method runs under, each ranked in its own table (e.g. each target sparsity,
    # each parameter budget of a scaling sweep); () = the protocol alone.
    variants: tuple[dict, ...] = field(default=(), compare=False)
    # SHA-256 of the data itself (``data.data_hash()``), for generated data the split hash cannot vouch for
    # (split ids stay the same when a generator changes); "" = not checked.
    data_sha256: str = ""

    @property
    def metrics(self) -> tuple[str, ...]:
        """The primary metric (selection and ranking) first, then the extra ones."""
        return (self.metric, *(m for m in self.extra_metrics if m != self.metric))

    @property
    def higher_is_better(self) -> bool:
        return get_metric(self.metric).higher_is_better

    def split_id(self, seed: int) -> int:
        """Seed ``s`` uses split ``s mod num_splits``: 10 seeds cover 10 geom-gcn splits once."""
        return seed % self.num_splits

    def load(self) -> NodeDataset | LinkDataset | TableDataset | GraphDataset:
        """Load the labelled dataset and check its frozen splits against ``split_sha256``."""
        return _load(self)


@lru_cache(maxsize=4)
def _load(spec: TaskSpec) -> NodeDataset:
    data = spec.loader()
    got = data.split_hash()
    if len(data.splits) != spec.num_splits or got != spec.split_sha256:
        raise SplitMismatchError(
            f"task {spec.name}: split hash {got[:16]} ({len(data.splits)} splits) differs from the spec's "
            f"{spec.split_sha256[:16]} ({spec.num_splits}): the data or split changed; restore it, or bump "
            f"the task version and record the new hash"
        )
    if spec.data_sha256 and (got := data.data_hash()) != spec.data_sha256:
        raise SplitMismatchError(
            f"task {spec.name}: data hash {got[:16]} differs from the spec's {spec.data_sha256[:16]}: the generator "
            f"changed; restore it, or bump the task version and record the new hash"
        )
    return data


def register_task(spec: TaskSpec) -> TaskSpec:
    for metric in spec.metrics:
        get_metric(metric)  # fail at registration on an unknown metric
    return TASKS.register(spec.name, spec)
