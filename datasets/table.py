"""The labelled example table behind the non-graph tracks (function fitting, algorithmic, sparsity, tabular)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from suite.datasets.base import Split, output_width, split_hash

TARGETS = ("classification", "regression", "bits")


@dataclass
class TableDataset:
    """Examples as rows, with one or more frozen splits over row ids.

    Shapes: ``x`` [n, d] float32 features, or int64 tokens in ``[0, vocab_size)``
    when ``vocab_size`` is set; ``y`` [n] int64 class ids in ``[0, num_classes)``
    (``target="classification"``), [n] float32 (``"regression"``) or [n, k]
    float32 in {0, 1} (``"bits"``: k binary outputs, scored as a whole).
    ``standardize``: features are standardised with the training rows'
    mean and std of each split (and regression targets too, see
    :func:`suite.view.table_view`), as any tabular pipeline does.
    """

    name: str
    x: torch.Tensor
    y: torch.Tensor
    target: str
    splits: list[Split]
    num_classes: int = 0
    vocab_size: int | None = None
    standardize: bool = False
    notes: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")

    @property
    def num_examples(self) -> int:
        return self.x.size(0)

    @property
    def num_nodes(self) -> int:  # the runner's generic size field (rows here)
        return self.num_examples

    @property
    def num_features(self) -> int:
        return self.x.size(1)

    @property
    def num_outputs(self) -> int:
        """Width of a model's output: classes, 1 for a scalar regression, k for k bits."""
        return output_width(self.target, self.num_classes, self.y)

    def split_hash(self) -> str:
        return split_hash(self.splits)


def random_splits(n: int, fractions: tuple[float, float], num_splits: int, seed: int,
                  stratify: np.ndarray | None = None) -> list[Split]:
    """``num_splits`` random train/val/test partitions of ``n`` rows (test takes the rest), stratified by
    ``stratify`` when given, from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    groups = [np.arange(n)] if stratify is None else [np.flatnonzero(stratify == c) for c in np.unique(stratify)]
    splits = []
    for _ in range(num_splits):
        parts = [[], [], []]
        for rows in groups:
            rows = rng.permutation(rows)
            a = int(round(fractions[0] * len(rows)))
            b = a + int(round(fractions[1] * len(rows)))
            for p, chunk in zip(parts, (rows[:a], rows[a:b], rows[b:])):
                p.append(chunk)
        splits.append(Split(*(torch.from_numpy(np.sort(np.concatenate(p))).long() for p in parts)))
    return splits


def block_splits(sizes: tuple[int, int, int], num_splits: int) -> list[Split]:
    """Splits over consecutive blocks of rows: split ``i`` owns rows
    ``[i * sum(sizes), (i + 1) * sum(sizes))``, its own independent sample."""
    total, out = sum(sizes), []
    for i in range(num_splits):
        start = i * total
        a, b = start + sizes[0], start + sizes[0] + sizes[1]
        out.append(Split(torch.arange(start, a), torch.arange(a, b), torch.arange(b, start + total)))
    return out
