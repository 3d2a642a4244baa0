"""Frozen random edge splits for link prediction (85/5/10, fixed negatives).

The split follows GAE (Kipf & Welling 2016) and PyG's ``RandomLinkSplit``:
each undirected edge is kept once, a seeded permutation assigns 5% to
validation and 10% to test, and as many non-edges as positives are drawn for
each of validation and test (disjoint, never an edge of the full graph, no
self-loops). Everything comes from ``numpy.random.default_rng(seed)`` (PCG64,
stable across numpy versions), so the split is a pure function of the graph
and the seed; task specs pin its SHA-256.
"""

from __future__ import annotations

import numpy as np
import torch
from suite.datasets.base import LinkSplit


def undirected_pairs(edge_index: torch.Tensor, num_nodes: int) -> np.ndarray:
    """Each undirected edge once as ``(u, v)`` with ``u < v``, sorted, self-loops dropped. Shape [2, E]."""
    ei = edge_index.numpy().astype(np.int64)
    u, v = np.minimum(ei[0], ei[1]), np.maximum(ei[0], ei[1])
    keep = u != v
    keys = np.unique(u[keep] * num_nodes + v[keep])
    return np.stack([keys // num_nodes, keys % num_nodes])


def _negatives(rng: np.random.Generator, num_nodes: int, taken: np.ndarray, count: int) -> np.ndarray:
    """``count`` distinct pairs ``u < v`` whose key ``u * num_nodes + v`` is not in ``taken``, in draw order."""
    free = num_nodes * (num_nodes - 1) // 2 - taken.size
    if count > free:
        raise ValueError(f"the graph has {free} non-edges, fewer than the {count} negatives the split needs")
    got = np.empty(0, dtype=np.int64)
    while got.size < count:
        a = rng.integers(num_nodes, size=2 * count)
        b = rng.integers(num_nodes, size=2 * count)
        u, v = np.minimum(a, b), np.maximum(a, b)
        keys = (u * num_nodes + v)[u != v]
        keys = keys[~np.isin(keys, taken) & ~np.isin(keys, got)]
        _, first = np.unique(keys, return_index=True)
        got = np.concatenate([got, keys[np.sort(first)]])
    return got[:count]


def random_link_split(edge_index: torch.Tensor, num_nodes: int, val: float = 0.05, test: float = 0.10,
                      seed: int = 0) -> LinkSplit:
    """Split the undirected graph ``edge_index`` [2, E] into train/val/test edges plus fixed negatives."""
    rng = np.random.default_rng(seed)
    pos = undirected_pairs(edge_index, num_nodes)
    pos_keys = pos[0] * num_nodes + pos[1]
    perm = rng.permutation(pos.shape[1])
    n_val, n_test = int(val * pos.shape[1]), int(test * pos.shape[1])
    val_pos, test_pos = pos[:, perm[:n_val]], pos[:, perm[n_val:n_val + n_test]]
    train_pos = pos[:, np.sort(perm[n_val + n_test:])]
    neg = _negatives(rng, num_nodes, pos_keys, n_val + n_test)
    neg = np.stack([neg // num_nodes, neg % num_nodes])

    def shuffled(p: np.ndarray, n: np.ndarray):
        pairs = np.concatenate([p, n], axis=1)
        label = np.concatenate([np.ones(p.shape[1]), np.zeros(n.shape[1])]).astype(np.int64)
        order = rng.permutation(pairs.shape[1])
        return torch.from_numpy(pairs[:, order]).long(), torch.from_numpy(label[order])

    val_pairs, val_label = shuffled(val_pos, neg[:, :n_val])
    test_pairs, test_label = shuffled(test_pos, neg[:, n_val:])
    return LinkSplit(torch.from_numpy(train_pos).long(), val_pairs, val_label, test_pairs, test_label)
