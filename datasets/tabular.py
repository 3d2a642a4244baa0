"""Small real tables bundled with scikit-learn, for the tabular track.

Breast cancer (Wisconsin diagnostic, 569 x 30, 2 classes), wine (178 x 13,
3 classes), digits (1797 x 64, 8x8 images, 10 classes) and diabetes
(442 x 10, regression of disease progression one year on). They ship inside
the scikit-learn package (``sklearn/datasets/data``), so nothing is
downloaded and no mirror is needed; only the ``load_*`` functions are used,
never a ``fetch_*``. Each table's content is hashed and checked against a
frozen SHA-256 here, so a scikit-learn release that changed a bundled file
would fail loudly instead of silently moving the numbers.

Splits: 5 random 60/20/20 train/val/test partitions from
``numpy.random.default_rng(0)``, stratified by class for classification.
Features (and diabetes' target) are standardised by each split's training
rows only (``standardize=True``; :func:`suite.view.table_view` does it).
Tree ensembles beat neural networks on such medium-sized tables more often
than not (Grinsztajn et al. 2022, https://arxiv.org/abs/2207.08815).
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch

from suite.datasets.table import TableDataset, random_splits
from suite.errors import SplitMismatchError

NUM_SPLITS = 5
FRACTIONS = (0.6, 0.2)  # train, val; test takes the rest
SPLIT_SEED = 0

# name: (scikit-learn loader, target, SHA-256 of x as float32 bytes then y's bytes)
_TABLES = {
    "breast-cancer": ("load_breast_cancer", "classification",
                      "9ee24a569d91741cfd4974283ec812bd58a59b979a88bac67ca0295a2965f469"),
    "wine": ("load_wine", "classification", "8cf8fbdcd47dfd19658af3db7a6658a1dbb9d7a0a1563a9fae9090c68a1db5a0"),
    "digits": ("load_digits", "classification", "261237c92fb55a0fe4626b908d07235dad2986986636ba9ac60be30d05f29d30"),
    "diabetes": ("load_diabetes", "regression", "ac7cff15f16a5da12eaed9a6d7fda5bcdbb276348b54f27a388633275c4a085f"),
}


def content_hash(x: torch.Tensor, y: torch.Tensor) -> str:
    """SHA-256 over the table's features and targets (shapes, dtypes and bytes)."""
    h = hashlib.sha256()
    for t in (x, y):
        h.update(f"{tuple(t.shape)}:{t.dtype}:".encode())
        h.update(t.contiguous().numpy().tobytes())
    return h.hexdigest()


def _raw(name: str) -> tuple[np.ndarray, np.ndarray]:
    import sklearn.datasets as skd

    fn = getattr(skd, _TABLES[name][0])
    if name == "diabetes":  # raw units; the bundled default is centred and scaled over all rows
        return fn(return_X_y=True, scaled=False)
    return fn(return_X_y=True)


def load_sklearn_table(name: str) -> TableDataset:
    """One bundled scikit-learn table as a :class:`TableDataset` with 5 frozen splits.

    ``x`` [n, d] float32; ``y`` [n] int64 class ids, or float32 targets in
    their own units (diabetes). Raises :class:`SplitMismatchError` if the
    bundled data no longer hash to the recorded value (the data behind the frozen splits moved).
    """
    _, target, expected = _TABLES[name]
    x_np, y_np = _raw(name)
    x = torch.from_numpy(np.ascontiguousarray(x_np, dtype=np.float32))
    if target == "classification":
        y = torch.from_numpy(np.ascontiguousarray(y_np, dtype=np.int64))
        num_classes, stratify = int(y.max()) + 1, y_np
    else:
        y = torch.from_numpy(np.ascontiguousarray(y_np, dtype=np.float32))
        num_classes, stratify = 0, None
    got = content_hash(x, y)
    if got != expected:
        raise SplitMismatchError(f"scikit-learn's bundled {name} table hashes to {got[:16]}, not the recorded "
                                 f"{expected[:16]}: the data changed; pin scikit-learn or bump the task versions")
    splits = random_splits(x.size(0), FRACTIONS, NUM_SPLITS, SPLIT_SEED, stratify=stratify)
    return TableDataset(f"sklearn/{name}", x, y, target, splits, num_classes=num_classes, standardize=True,
                        notes={"content_sha256": got, "source": f"sklearn.datasets.{_TABLES[name][0]}"})
