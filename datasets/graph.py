"""The labelled set of graphs behind the graph-level track (TU, MoleculeNet, CSL, EXP-style pairs, counting).

Also the split builders of the track: stratified k-fold cross-validation with
an inner stratified holdout (Errica et al. 2020), its frozen split files under
``datasets/splits/``, and grouped splits that keep a pair of graphs together.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch_geometric.data import Data

from suite.datasets.base import Split, output_width, split_hash

TARGETS = ("classification", "regression", "multilabel")
SPLITS_DIR = Path(__file__).with_name("splits")


@dataclass
class GraphDataset:
    """Graphs with one label (or label vector) each, and frozen splits over graph ids.

    Each graph is a PyG ``Data`` with ``x`` [n_i, F] float32 node features,
    ``edge_index`` [2, E_i] int64 (both directions of each undirected edge),
    optionally ``edge_attr`` [E_i, D] float32 and, for molecules, ``fp``
    [1, B] float32 (a Morgan fingerprint) and ``smiles`` (str). No graph holds
    its label: labels live in ``y`` only, so a view can leave them out.

    ``y``: [G] int64 class ids in ``[0, num_classes)`` (``target="classification"``),
    [G] float32 (``"regression"``), or [G, T] float32 in {0, 1} with NaN for a
    missing label (``"multilabel"``: T binary tasks, e.g. Tox21's 12).
    ``features`` says what ``x`` holds (declared by the task, e.g. "one-hot
    degree capped at 100" for a social graph without node attributes).
    """

    name: str
    graphs: list[Data]
    y: torch.Tensor
    target: str
    splits: list[Split]
    num_classes: int = 0
    features: str = ""
    attribute_columns: int = 0  # leading columns of x that are continuous attributes (the rest: discrete labels)
    notes: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.target not in TARGETS:
            raise ValueError(f"target must be one of {TARGETS}, got {self.target!r}")
        if len(self.graphs) != self.y.size(0):
            raise ValueError(f"{len(self.graphs)} graphs but {self.y.size(0)} labels")

    @property
    def num_graphs(self) -> int:
        return len(self.graphs)

    @property
    def num_nodes(self) -> int:  # the runner's generic size field: nodes over all graphs
        return sum(g.num_nodes for g in self.graphs)

    @property
    def num_features(self) -> int:
        return self.graphs[0].x.size(1)

    @property
    def num_outputs(self) -> int:
        """Width of a model's output: classes, 1 for a scalar regression, T for T binary tasks."""
        return output_width(self.target, self.num_classes, self.y)

    def split_hash(self) -> str:
        return split_hash(self.splits)

    def data_hash(self) -> str:
        """SHA-256 over every graph's ``x`` and ``edge_index`` and the labels, in order."""
        h = hashlib.sha256()
        for g in self.graphs:
            for t in (g.x, g.edge_index):
                h.update(f"{tuple(t.shape)}:".encode())
                h.update(t.contiguous().numpy().tobytes())
        h.update(self.y.contiguous().numpy().tobytes())
        return h.hexdigest()


def _sorted(ids) -> torch.Tensor:
    return torch.from_numpy(np.sort(np.asarray(ids, dtype=np.int64)))


def stratified_kfold(labels: np.ndarray, folds: int, holdout: float, seed: int,
                     groups: np.ndarray | None = None) -> list[Split]:
    """``folds`` outer folds, each a test fold and an inner (train, holdout) of the rest, all stratified.

    Errica et al. 2020: 10-fold stratified CV for assessment; inside each
    outer training fold a stratified ``holdout`` share (10%) validates for
    selection and early stopping. Uses scikit-learn's ``StratifiedKFold``
    (shuffled, ``random_state=seed``) and ``train_test_split``. With
    ``groups`` (e.g. the pair id of EXP-style graphs), whole groups move
    together (``StratifiedGroupKFold``; the holdout draws whole groups).
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, train_test_split

    labels = np.asarray(labels)
    ids = np.arange(len(labels))
    out = []
    if groups is None:
        outer = StratifiedKFold(folds, shuffle=True, random_state=seed).split(ids, labels)
    else:
        outer = StratifiedGroupKFold(folds, shuffle=True, random_state=seed).split(ids, labels, groups)
    for fold, (rest, test) in enumerate(outer):
        if groups is None:
            train, val = train_test_split(rest, test_size=holdout, stratify=labels[rest], random_state=seed + fold)
        else:
            uniq = np.unique(groups[rest])
            rng = np.random.default_rng(seed + fold)
            held = set(rng.choice(uniq, size=max(1, int(round(holdout * len(uniq)))), replace=False).tolist())
            mask = np.array([g in held for g in groups[rest]])
            train, val = rest[~mask], rest[mask]
        out.append(Split(_sorted(train), _sorted(val), _sorted(test)))
    return out


def save_splits(path: Path, splits: list[Split], about: str) -> None:
    """Write ``splits`` as JSON (``about`` says how they were made); the task spec pins their hash."""
    body = {"about": about, "splits": [{"train": s.train.tolist(), "val": s.val.tolist(), "test": s.test.tolist()}
                                       for s in splits]}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body, separators=(",", ":")))
    tmp.replace(path)


def load_splits(path: Path) -> list[Split]:
    body = json.loads(Path(path).read_text())
    return [Split(_sorted(s["train"]), _sorted(s["val"]), _sorted(s["test"])) for s in body["splits"]]


def frozen_splits(name: str, make, about: str) -> list[Split]:
    """The splits stored in ``datasets/splits/<name>.json``; ``make()`` builds and stores them the first time.

    The files are committed: once written they are what every user runs, and
    the task spec's ``split_sha256`` detects any change to them.
    """
    path = SPLITS_DIR / f"{name}.json"
    if path.is_file():
        return load_splits(path)
    splits = make()
    save_splits(path, splits, about)
    return splits


def one_hot_degree(edge_index: torch.Tensor, num_nodes: int, cap: int) -> torch.Tensor:
    """[n, cap + 1] float32: one-hot of each node's degree, degrees above ``cap`` in the last column."""
    deg = torch.bincount(edge_index[0], minlength=num_nodes).clamp(max=cap)
    return torch.nn.functional.one_hot(deg, cap + 1).float()
