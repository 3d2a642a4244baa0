"""Sparsity-track datasets: small classification tables on which a LeNet-300-100 can be pruned and retrained.

The digits task reads scikit-learn's bundled digits through the tabular
track's loader (:func:`suite.datasets.tabular.load_sklearn_table`: the same
table, splits and content check as ``tab-digits``).

* :func:`make_teacher` — a teacher-student task: Gaussian inputs labelled by a
  fixed random ReLU teacher network, so a sparse student has a known,
  realisable target (the setting of Frankle & Carbin 2019's LeNet experiments
  scaled down; https://arxiv.org/abs/1803.03635).

It is a :class:`~suite.datasets.table.TableDataset` with
``target="classification"`` and ``standardize=True`` and stratified random
splits from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

import numpy as np
import torch

from suite.datasets.table import TableDataset, random_splits


def make_teacher(num_examples: int = 6000, num_features: int = 64, hidden: int = 128, num_classes: int = 10,
                 num_splits: int = 5, train: float = 0.6, val: float = 0.2, seed: int = 0) -> TableDataset:
    """A teacher-student classification table generated from ``seed``.

    Generator (``rng = numpy.random.default_rng(seed)``, in this order):
    teacher weights ``W1`` [num_features, hidden] and ``W2`` [hidden,
    num_classes] ~ N(0, 1 / fan_in), hidden bias ``b1`` [hidden] ~ N(0, 1);
    inputs ``x`` [num_examples, num_features] ~ N(0, I); teacher logits
    ``z = relu(x W1 + b1) W2``, each class's logit then centred and scaled
    to unit std over the sample (a fixed affine output layer: without it a
    random ReLU teacher sends most rows to one or two classes); labels
    ``y = argmax(z)`` (float64 arithmetic); then ``num_splits`` splits
    stratified by ``y``, drawn by :func:`~suite.datasets.table.random_splits`
    with the same ``seed``. With the defaults every class holds 8-12% of the rows.
    Returns ``x`` [num_examples, num_features] float32 and ``y``
    [num_examples] int64.
    """
    rng = np.random.default_rng(seed)
    w1 = rng.standard_normal((num_features, hidden)) / np.sqrt(num_features)
    w2 = rng.standard_normal((hidden, num_classes)) / np.sqrt(hidden)
    b1 = rng.standard_normal(hidden)
    x = rng.standard_normal((num_examples, num_features))
    z = np.maximum(x @ w1 + b1, 0.0) @ w2
    y = ((z - z.mean(0)) / z.std(0)).argmax(1).astype(np.int64)
    splits = random_splits(num_examples, (train, val), num_splits, seed, stratify=y)
    notes = {"teacher": f"{num_features}-{hidden}-{num_classes} ReLU MLP, seed {seed}",
             "class_counts": np.bincount(y, minlength=num_classes).tolist()}
    return TableDataset("teacher-student", torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y),
                        "classification", splits, num_classes=num_classes, standardize=True, notes=notes)
