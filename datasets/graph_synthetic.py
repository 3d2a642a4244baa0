"""Graph-level expressivity probes: CSL, EXP-style 1-WL-equivalent pairs, and substructure counting.

CSL (Murphy et al. 2019, "Relational Pooling for Graph Representations"): 150
circular skip-link graphs, 4-regular on 41 nodes, 10 isomorphism classes.
EXP-style pairs (after Abboud et al. 2021): two 3-regular graphs on the same
nodes, one with a triangle and one without. Counting (Chen et al. 2020, "Can
Graph Neural Networks Count Substructures?"): regress the number of triangles,
4-cycles or 5-node paths of random graphs. Every graph has ``x`` = ones
[n, 1], so a model learns from structure alone; the generated sets come
from a seeded NumPy generator in a second or two, and ``notes["content_sha256"]``
pins their graphs and labels (the split hash alone does not).
"""

from __future__ import annotations

import hashlib

import numpy as np
import torch
from scipy.sparse.csgraph import connected_components
from torch_geometric.data import Data

from suite.datasets.base import Split
from suite.datasets.graph import GraphDataset, frozen_splits, stratified_kfold
from suite.datasets.mirror import load_pyg
from suite.errors import ConfigError

COUNT_TARGETS = ("triangle", "4-cycle", "5-path")


def _graph(adj: np.ndarray) -> Data:
    """Dense symmetric 0/1 adjacency [n, n] -> Data with ``x`` = ones [n, 1] and both edge directions."""
    n = adj.shape[0]
    edge_index = torch.from_numpy(np.stack(np.nonzero(adj)).astype(np.int64))
    return Data(x=torch.ones(n, 1), edge_index=edge_index)


def _stats(graphs: list[Data]) -> dict:
    nodes = np.array([g.num_nodes for g in graphs])
    edges = np.array([g.edge_index.size(1) // 2 for g in graphs])
    return {"graphs": len(graphs), "avg_nodes": round(float(nodes.mean()), 2),
            "avg_edges": round(float(edges.mean()), 2)}


def _content_sha256(graphs: list[Data], y: torch.Tensor) -> str:
    """SHA-256 over every graph's node count and edge list, then the labels: detects a generator change."""
    h = hashlib.sha256()
    for g in graphs:
        h.update(f"{g.num_nodes}:{g.edge_index.size(1)}:".encode())
        h.update(g.edge_index.numpy().tobytes())
    h.update(y.numpy().tobytes())
    return h.hexdigest()


def load_csl() -> GraphDataset:
    """CSL via PyG's ``GNNBenchmarkDataset(name='CSL')``: 150 graphs, 41 nodes, 10 classes (skip lengths).

    All graphs are 4-regular on 41 nodes, so any 1-WL-bounded model gives
    every graph the same embedding (10% accuracy). Splits: 5-fold stratified
    cross-validation as benchmarking-gnns (Dwivedi et al.), each fold test
    20% and of the rest a 25% stratified holdout: 90/30/30 graphs.
    """
    from torch_geometric.datasets import GNNBenchmarkDataset

    rel = [f"GNNBenchmarkDataset/CSL/raw/{f}" for f in
           ("graphs_Kary_Deterministic_Graphs.pkl", "y_Kary_Deterministic_Graphs.pt")]
    ds = load_pyg("CSL", rel, lambda root: GNNBenchmarkDataset(str(root / "GNNBenchmarkDataset"), "CSL"))
    graphs = [Data(x=torch.ones(g.num_nodes, 1), edge_index=g.edge_index) for g in ds]
    y = ds.y.long()
    splits = frozen_splits("csl", lambda: stratified_kfold(y.numpy(), 5, 0.25, seed=0),
                           about="CSL: 5 stratified folds (StratifiedKFold shuffle, random_state=0), each with a "
                                 "stratified 25% holdout of the rest (60/20/20), as benchmarking-gnns")
    notes = _stats(graphs) | {"classes": 10, "class_counts": torch.bincount(y).tolist(),
                              "regular_degree": 4, "chance_accuracy": 0.1}
    return GraphDataset(name="CSL", graphs=graphs, y=y, target="classification", splits=splits, num_classes=10,
                        features="constant 1 per node ([n, 1]): no features; 1-WL cannot tell the classes apart",
                        notes=notes)


def _random_regular(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """A connected simple ``d``-regular graph on ``n`` nodes, uniform over such graphs.

    Configuration model: shuffle ``n * d`` stubs, pair them, and start over if
    the result has a loop or a multi-edge (rejection keeps it uniform) or is
    disconnected.
    """
    while True:
        stubs = rng.permutation(np.repeat(np.arange(n), d)).reshape(-1, 2)
        u, v = stubs.min(1), stubs.max(1)
        if (u == v).any() or np.unique(u * n + v).size != len(u):
            continue
        adj = np.zeros((n, n), dtype=np.int64)
        adj[u, v] = adj[v, u] = 1
        if connected_components(adj, directed=False, return_labels=False) == 1:
            return adj


def _truncate(base: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The truncation of a cubic graph [m, m] -> a cubic graph [3m, 3m] in which every node lies on a triangle.

    Each node ``v`` becomes a triangle of three nodes, one per edge at ``v``;
    edge ``(v, w)`` joins ``v``'s node for ``w`` to ``w``'s node for ``v``.
    Node ids are shuffled, so no id order tells the triangles apart.
    """
    m = base.shape[0]
    nbrs = [list(np.nonzero(base[v])[0]) for v in range(m)]
    adj = np.zeros((3 * m, 3 * m), dtype=np.int64)
    for v in range(m):
        corner = 3 * v + np.arange(3)
        adj[np.ix_(corner, corner)] = 1 - np.eye(3, dtype=np.int64)
        for i, w in enumerate(nbrs[v]):
            j = nbrs[w].index(v)
            adj[3 * v + i, 3 * w + j] = adj[3 * w + j, 3 * v + i] = 1
    order = rng.permutation(3 * m)
    return adj[np.ix_(order, order)]


def make_wl_pairs(num_pairs: int = 300, seed: int = 0) -> GraphDataset:
    """``num_pairs`` pairs of cubic (3-regular) graphs that 1-WL cannot distinguish; label 1 = has triangles.

    Pair ``p`` is graphs ``2p`` and ``2p + 1`` (in random order), both
    connected and cubic on the same ``n`` in {12, 18, 24, 30}: the truncation
    of a uniform random cubic graph on ``n / 3`` nodes (every node on a
    triangle, label 1) and a uniform random triangle-free cubic graph
    (rejection sampling, label 0). With ``x`` = ones, colour refinement never
    splits a colour class of a regular graph, so both graphs of a pair get
    identical 1-WL colourings and a plain MPNN is at chance (50%); a model
    that can see triangles solves it. (Version 1 paired random cubic graphs
    with and without a triangle: one or two triangles among up to 30 nodes, a
    signal too sparse for random node features to learn from 360 training
    graphs.) Splits: 5 folds over pairs (a pair is never split): 60/20/20.

    >>> import torch
    >>> from torch_geometric.nn import WLConv
    >>> wl, ds = WLConv(), make_wl_pairs(20)
    >>> def wl_colours(g, rounds=3):
    ...     c = torch.zeros(g.num_nodes, dtype=torch.long)
    ...     for _ in range(rounds):
    ...         c = wl(c, g.edge_index)
    ...     return c.unique().numel()
    >>> {wl_colours(g) for g in ds.graphs}  # one colour per graph: nothing to tell
    {1}
    """
    rng = np.random.default_rng(seed)
    graphs, labels = [], []
    for _ in range(num_pairs):
        m = 2 * int(rng.integers(2, 6))  # base cubic graph on 4..10 nodes (cubic graphs have an even order)
        with_triangles = _truncate(_random_regular(m, 3, rng), rng)
        while True:
            without = _random_regular(3 * m, 3, rng)
            if np.trace(without @ without @ without) == 0:
                break
        found = {0: without, 1: with_triangles}
        order = (0, 1) if rng.random() < 0.5 else (1, 0)
        graphs += [_graph(found[k]) for k in order]
        labels += list(order)
    y = torch.tensor(labels, dtype=torch.long)
    pair = np.arange(len(labels)) // 2
    splits = stratified_kfold(y.numpy(), 5, 0.25, seed=0, groups=pair)
    notes = _stats(graphs) | {"pairs": num_pairs, "seed": seed, "classes": 2, "chance_accuracy": 0.5,
                              "wl_check": "3-regular with constant x: 1-WL keeps one colour per graph",
                              "content_sha256": _content_sha256(graphs, y)}
    return GraphDataset(name=f"wl-pairs-{num_pairs}-s{seed}", graphs=graphs, y=y, target="classification",
                        splits=splits, num_classes=2,
                        features="constant 1 per node ([n, 1]); graphs of a pair are 1-WL-equivalent", notes=notes)


def count_substructure(adj: np.ndarray, target: str) -> int:
    """Exact count in the simple graph ``adj`` [n, n]: triangles, simple 4-cycles, or simple paths on 5 nodes.

    Closed forms on ``A`` and ``A^2`` (each path or cycle once, not per
    direction or start): triangles = tr(A^3) / 6; 4-cycles = 1/2 sum over
    node pairs b < d of C((A^2)_bd, 2) (each 4-cycle has two diagonals);
    5-paths a-b-c-d-e: for each ordered end pair (b, d) of a 2-path through
    c, choose a in N(b) minus {c, d} and e in N(d) minus {b, c} with a != e,
    summed and halved. K4: 4, 3, 0; the 5-cycle: 0, 0, 5; the 5-node path: 0, 0, 1.
    """
    a = adj.astype(np.int64)
    a2 = a @ a
    if target == "triangle":
        return int(np.trace(a2 @ a)) // 6
    off = ~np.eye(len(a), dtype=bool)
    if target == "4-cycle":
        return int((a2 * (a2 - 1) // 2)[off].sum()) // 4
    deg = a.sum(1)
    ends = (deg[:, None] - 1 - a) * (deg[None, :] - 1 - a) - (a2 - 1)
    return int((a2 * ends)[off].sum()) // 2


def make_counting(target: str, num_graphs: int = 2000, seed: int = 0) -> GraphDataset:
    """Regress the number of ``target`` in {"triangle", "4-cycle", "5-path"} substructures of a random graph.

    Graphs: Erdos-Renyi G(n, p) with n uniform in 10..25 and p = d / (n - 1)
    for an average degree d uniform in [3, 5]; the same graphs for every
    target at a given seed. ``y`` [G] float32: the exact graph-level count
    (:func:`count_substructure`); metric MAE on the raw counts. Graphs are
    i.i.d., so one split by order: first half train, next quarter
    validation, last quarter test (1000/500/500).
    """
    if target not in COUNT_TARGETS:
        raise ConfigError(f"counting target must be one of {COUNT_TARGETS}, got {target!r}")
    rng = np.random.default_rng(seed)
    graphs, counts = [], []
    for _ in range(num_graphs):
        n = int(rng.integers(10, 26))
        p = rng.uniform(3.0, 5.0) / (n - 1)
        adj = np.triu(rng.random((n, n)) < p, 1).astype(np.int64)
        adj = adj + adj.T
        graphs.append(_graph(adj))
        counts.append(count_substructure(adj, target))
    y = torch.tensor(counts, dtype=torch.float32)
    cut1, cut2 = num_graphs // 2, num_graphs * 3 // 4
    split = Split(torch.arange(0, cut1), torch.arange(cut1, cut2), torch.arange(cut2, num_graphs))
    notes = _stats(graphs) | {"seed": seed, "target": target, "y_mean": round(float(y.mean()), 3),
                              "y_std": round(float(y.std()), 3), "y_max": int(y.max()),
                              "zero_share": round(float((y == 0).float().mean()), 3), "metric": "MAE",
                              "content_sha256": _content_sha256(graphs, y)}
    return GraphDataset(name=f"count-{target}", graphs=graphs, y=y, target="regression", splits=[split],
                        features="constant 1 per node ([n, 1]); the target is a graph-level count", notes=notes)


def make_toy_cycles(num: int = 60, seed: int = 0):
    """``num`` small graphs, label 1 for a cycle and 0 for a path (4-9 nodes), with 3 stratified folds and a
    25% holdout: a graph-classification task a one-step message-passing model learns in seconds."""
    rng = np.random.default_rng(seed)
    graphs, labels = [], []
    for i in range(num):
        n, cycle = int(rng.integers(4, 10)), i % 2
        src = list(range(n - 1)) + ([n - 1] if cycle else [])
        dst = list(range(1, n)) + ([0] if cycle else [])
        ei = torch.tensor([src + dst, dst + src], dtype=torch.long)
        graphs.append(Data(x=torch.ones(n, 1), edge_index=ei, num_nodes=n))
        labels.append(cycle)
    y = torch.tensor(labels)
    return GraphDataset("toy-cycles", graphs, y, "classification", stratified_kfold(y.numpy(), 3, 0.25, seed=0),
                        num_classes=2, features="constant 1")

