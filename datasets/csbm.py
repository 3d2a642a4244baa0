"""Contextual stochastic block model (CSBM) node classification, generated from a seed.

Deshpande et al. 2018, "Contextual Stochastic Block Models"; the homophily
sweep follows Ma et al. 2022, "Is Homophily a Necessity for GNNs?". Needs no files.
"""

from __future__ import annotations

import numpy as np
import torch
from torch_geometric.utils import coalesce, to_undirected

from suite.datasets.base import NodeDataset, Split


def make_csbm(homophily: float, num_nodes: int = 2000, num_classes: int = 5, avg_degree: float = 10.0,
              num_features: int = 32, signal: float = 1.0, num_splits: int = 10,
              train: float = 0.6, val: float = 0.2, seed: int = 0) -> NodeDataset:
    """Generate one CSBM graph and ``num_splits`` stratified random splits.

    Each undirected edge picks a uniform source node; with probability
    ``homophily`` its target is a uniform node of the same class, otherwise of a
    uniform other class, so the edge homophily is ``homophily`` in expectation.
    Features are ``x_i = signal * mu_{y_i} + N(0, I)`` with class means drawn
    once as unit vectors: ``signal`` sets the signal-to-noise ratio.
    Everything comes from ``numpy.random.default_rng(seed)`` (PCG64, stable).
    """
    rng = np.random.default_rng(seed)
    # Labels in random node order: a node's id must say nothing about its class.
    y = rng.integers(num_classes, size=num_nodes)
    by_class = np.argsort(y, kind="stable")  # node ids grouped by class
    counts = np.bincount(y, minlength=num_classes)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])

    m = int(num_nodes * avg_degree / 2)
    src = rng.integers(num_nodes, size=m)
    same = rng.random(m) < homophily
    shift = rng.integers(1, num_classes, size=m)
    tgt_class = np.where(same, y[src], (y[src] + shift) % num_classes)
    dst = by_class[offsets[tgt_class] + (rng.random(m) * counts[tgt_class]).astype(np.int64)]
    keep = src != dst
    edge_index = torch.from_numpy(np.stack([src[keep], dst[keep]])).long()
    edge_index = coalesce(to_undirected(edge_index, num_nodes=num_nodes), num_nodes=num_nodes)

    means = rng.standard_normal((num_classes, num_features))
    means /= np.linalg.norm(means, axis=1, keepdims=True)
    x = signal * means[y] + rng.standard_normal((num_nodes, num_features))

    splits = []
    for _ in range(num_splits):
        parts = [[], [], []]
        for c in range(num_classes):
            nodes = rng.permutation(np.flatnonzero(y == c))
            a, b = int(round(train * len(nodes))), int(round((train + val) * len(nodes)))
            for p, chunk in zip(parts, (nodes[:a], nodes[a:b], nodes[b:])):
                p.append(chunk)
        splits.append(Split(*(torch.from_numpy(np.sort(np.concatenate(p))).long() for p in parts)))

    ei = edge_index.numpy()
    measured_h = float((y[ei[0]] == y[ei[1]]).mean())
    return NodeDataset(name=f"CSBM(h={homophily})", x=torch.from_numpy(x).float(), edge_index=edge_index,
                       y=torch.from_numpy(y).long(), num_classes=num_classes, splits=splits,
                       notes={"edge_homophily": round(measured_h, 4)})
