"""TU graph-classification benchmarks through PyG's ``TUDataset``, with Errica et al.'s 10-fold protocol.

Morris et al. 2020, "TUDataset: A collection of benchmark datasets for learning
with graphs"; evaluation as in Errica et al. 2020, "A Fair Comparison of Graph
Neural Networks for Graph Classification": 10 stratified outer folds, and in
each outer training fold a stratified 10% holdout for model selection.

Raw files come from the mirror (``TUDataset/<name>/raw/<name>_*.txt``) or PyG's
download. COLLAB is mirrored as one archive, ``_archives/COLLAB.tar.xz``, that
is verified and unpacked into ``<cache>/TUDataset/COLLAB/raw/``.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np
import torch
from torch_geometric.data import Data
from torch_geometric.datasets import TUDataset

from suite.datasets.graph import GraphDataset, frozen_splits, one_hot_degree, stratified_kfold
from suite.datasets.mirror import cache_dir, downloads_allowed, load_pyg, missing_message, stage
from suite.errors import ConfigError, DatasetMissingError

# name -> (raw files beyond A/graph_indicator/graph_labels, what the discrete node labels are).
# Every data file PyG reads is staged, so the processed cache equals that of a full download.
_SETS = {
    "MUTAG": (("node_labels", "edge_labels"), "atom type"),
    "PTC_MR": (("node_labels", "edge_labels"), "atom type"),
    "ENZYMES": (("node_labels", "node_attributes"), "secondary-structure element type"),
    "PROTEINS": (("node_labels", "node_attributes"), "secondary-structure element type"),
    "NCI1": (("node_labels",), "atom type"),
    "NCI109": (("node_labels",), "atom type"),
    "DD": (("node_labels",), "amino-acid type"),
    "IMDB-BINARY": ((), None),
    "IMDB-MULTI": ((), None),
    "REDDIT-BINARY": ((), None),
    "COLLAB": ((), None),
}
FEATURES = ("attributes", "degree", "constant")
_COLLAB_ARCHIVE = "_archives/COLLAB.tar.xz"

# Morris et al. 2020, Table: graphs, classes, mean nodes, mean (undirected) edges.
_PAPER = {
    "MUTAG": (188, 2, 17.93, 19.79), "PTC_MR": (344, 2, 14.29, 14.69), "ENZYMES": (600, 6, 32.63, 62.14),
    "PROTEINS": (1113, 2, 39.06, 72.82), "NCI1": (4110, 2, 29.87, 32.30), "NCI109": (4127, 2, 29.68, 32.13),
    "DD": (1178, 2, 284.32, 715.66), "IMDB-BINARY": (1000, 2, 19.77, 96.53), "IMDB-MULTI": (1500, 3, 13.00, 65.94),
    "REDDIT-BINARY": (2000, 2, 429.63, 497.75), "COLLAB": (5000, 3, 74.49, 2457.78),
}


def _raw_files(name: str) -> list[str]:
    parts = ("A", "graph_indicator", "graph_labels") + _SETS[name][0]
    return [f"TUDataset/{name}/raw/{name}_{p}.txt" for p in parts]


def _unpack_collab(raw_files: list[str]) -> None:
    """Stage the verified COLLAB archive and unpack it into ``<cache>/TUDataset/COLLAB/raw/``.

    Members are written by name only (leading ``COLLAB/`` stripped; absolute
    paths, ``..`` and links refused) into a temporary folder next to ``raw/``,
    then each file is renamed into place, so ``raw/`` never holds a partial file.
    """
    root = cache_dir()
    if all((root / rel).is_file() for rel in raw_files):
        return
    missing = stage([_COLLAB_ARCHIVE])
    if missing:
        if not downloads_allowed():
            raise DatasetMissingError(missing_message("COLLAB", missing, "downloads are off (NETARENA_OFFLINE=1)"))
        return  # PyG downloads COLLAB.zip itself
    raw = root / "TUDataset/COLLAB/raw"
    raw.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".extract", dir=raw.parent))
    try:
        with tarfile.open(root / _COLLAB_ARCHIVE, "r:xz") as tar:
            for member in tar:
                parts = PurePosixPath(member.name).parts[1:]
                if member.isdir() or not parts:
                    continue
                if not member.isfile() or member.name.startswith("/") or ".." in parts or len(parts) != 1:
                    raise DatasetMissingError(
                        f"{root / _COLLAB_ARCHIVE} holds an unexpected member {member.name!r}; "
                        "delete it and stage the original archive from the mirror")
                with tar.extractfile(member) as src, open(tmp / parts[0], "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        for f in tmp.iterdir():
            os.replace(f, raw / f.name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _features(name: str, mode: str, ds: TUDataset, degree_cap: int) -> str:
    if mode == "degree":
        cols = degree_cap + 1
        return f"one-hot node degree ([n, {cols}]): column d for degree d, degrees >= {degree_cap} in the last"
    if mode == "constant":
        return "constant 1 per node ([n, 1]): structure only"
    labels = f"one-hot of the {ds.num_node_labels} discrete node labels ({_SETS[name][1]})"
    if ds.num_node_attributes:
        plural = "s" if ds.num_node_attributes > 1 else ""
        return f"[n, {ds.num_features}]: {ds.num_node_attributes} continuous node attribute{plural}, then {labels}"
    return f"[n, {ds.num_features}]: {labels}"


def load_tu(name: str, features: str = "attributes", degree_cap: int = 64) -> GraphDataset:
    """Load TU dataset ``name`` (MUTAG, PTC_MR, ENZYMES, PROTEINS, NCI1, NCI109, DD, IMDB-BINARY,
    IMDB-MULTI, REDDIT-BINARY, COLLAB) as graphs with class labels ``y`` [G] int64.

    ``features`` picks ``x`` (float32): ``"attributes"`` = PyG's one-hot node
    labels, preceded by the continuous node attributes where the dataset has
    them (ENZYMES: 18, PROTEINS: 1; ``use_node_attr=True``); ``"degree"`` =
    :func:`one_hot_degree` capped at ``degree_cap`` (the social datasets have
    no node features); ``"constant"`` = ones [n, 1]. Each graph holds only
    ``x`` and ``edge_index``. Splits: 10 folds, frozen in
    ``datasets/splits/tu-<name>.json``.
    """
    if name not in _SETS:
        raise ConfigError(f"unknown TU dataset {name!r}; choose one of {', '.join(_SETS)}")
    if features not in FEATURES:
        raise ConfigError(f"features must be one of {FEATURES}, got {features!r}")
    extra, _ = _SETS[name]
    if features == "attributes" and "node_labels" not in extra:
        raise ConfigError(f"{name} has no node labels or attributes; use features='degree' or 'constant'")
    rel = _raw_files(name)
    if name == "COLLAB":
        _unpack_collab(rel)
    use_attr = "node_attributes" in extra
    ds = load_pyg(name, rel, lambda root: TUDataset(str(root / "TUDataset"), name, use_node_attr=use_attr))

    graphs = []
    for i in range(len(ds)):
        g = ds[i]
        n = g.num_nodes
        if features == "attributes":
            x = g.x.float()
        elif features == "degree":
            x = one_hot_degree(g.edge_index, n, degree_cap)
        else:
            x = torch.ones(n, 1)
        graphs.append(Data(x=x, edge_index=g.edge_index))
    y = ds.y.long()
    num_classes = int(y.max()) + 1

    splits = frozen_splits(
        f"tu-{name.lower()}", lambda: stratified_kfold(y.numpy(), 10, 0.1, seed=0),
        about=f"TUDataset {name}: Errica et al. 2020 protocol: 10 stratified outer folds (scikit-learn "
              "StratifiedKFold, shuffle, random_state=0); inside each outer training fold a stratified 10% "
              "holdout (train_test_split, random_state=fold) for selection and early stopping")
    nodes = np.array([g.num_nodes for g in graphs])
    edges = np.array([g.edge_index.size(1) // 2 for g in graphs])
    paper = dict(zip(("graphs", "classes", "avg_nodes", "avg_edges"), _PAPER[name]))
    notes = {
        "graphs": len(graphs), "classes": num_classes,
        "class_counts": torch.bincount(y, minlength=num_classes).tolist(),
        "avg_nodes": round(float(nodes.mean()), 2), "avg_edges": round(float(edges.mean()), 2),
        "max_nodes": int(nodes.max()), "tudataset_paper": paper,
        "protocol": "Errica et al. 2020: report mean/std test accuracy over the 10 outer folds",
    }
    return GraphDataset(name=name, graphs=graphs, y=y, target="classification", splits=splits,
                        num_classes=num_classes, features=_features(name, features, ds, degree_cap), notes=notes,
                        attribute_columns=ds.num_node_attributes if features == "attributes" else 0)
