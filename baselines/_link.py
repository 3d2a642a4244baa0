"""Graph pieces the link-prediction baselines share, in plain PyTorch (no torch-sparse / torch-cluster).

:class:`Adjacency` is a CSR view of whatever graph a call receives (the
training graph, or a batch's graph with its target edges removed); it is
rebuilt per call because that graph changes between calls.
"""

from __future__ import annotations

import torch
from torch_geometric.utils import coalesce


class Adjacency:
    """CSR adjacency of ``edge_index`` [2, E] over ``num_nodes`` nodes (both directions expected).

    ``ptr`` [N + 1], ``col`` [E] (sorted within each row), ``deg`` [N],
    ``keys`` [E] = ``row * N + col`` sorted, for O(log E) edge lookups.
    """

    def __init__(self, edge_index: torch.Tensor, num_nodes: int):
        ei = coalesce(edge_index, num_nodes=num_nodes)
        self.num_nodes = num_nodes
        self.col = ei[1]
        self.deg = torch.bincount(ei[0], minlength=num_nodes)
        self.ptr = torch.cat([self.deg.new_zeros(1), self.deg.cumsum(0)])
        self.keys = ei[0] * num_nodes + ei[1]

    def has_edge(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Boolean [n]: is ``(u[k], v[k])`` an edge."""
        if self.keys.numel() == 0:
            return torch.zeros_like(u, dtype=torch.bool)
        key = u * self.num_nodes + v
        pos = torch.searchsorted(self.keys, key).clamp(max=self.keys.numel() - 1)
        return self.keys[pos] == key

    def neighbors_of(self, nodes: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All (k, w) with ``w`` a neighbour of ``nodes[k]``: two [M] tensors."""
        counts = self.deg[nodes]
        owner = torch.repeat_interleave(torch.arange(nodes.numel(), device=nodes.device), counts)
        start = torch.repeat_interleave(self.ptr[nodes] - (counts.cumsum(0) - counts), counts)
        return owner, self.col[start + torch.arange(owner.numel(), device=nodes.device)]

    def common_neighbors(self, pairs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """All (k, w) with ``w`` a common neighbour of ``pairs[:, k]``: two [M] tensors.

        Scans the lower-degree endpoint's neighbours and looks each up among
        the other endpoint's: O(sum of min degrees * log E).
        """
        i, j = pairs
        swap = self.deg[i] > self.deg[j]
        a, b = torch.where(swap, j, i), torch.where(swap, i, j)
        k, w = self.neighbors_of(a)
        found = self.has_edge(b[k], w)
        return k[found], w[found]

    def random_neighbor(self, nodes: torch.Tensor) -> torch.Tensor:
        """One uniform neighbour of each node; an isolated node stays where it is."""
        if self.col.numel() == 0:
            return nodes.clone()
        deg = self.deg[nodes]
        pick = self.ptr[nodes] + (torch.rand(nodes.shape, device=nodes.device) * deg).long().clamp(
            max=(deg - 1).clamp(min=0))
        return torch.where(deg > 0, self.col[pick.clamp(max=max(self.col.numel() - 1, 0))], nodes)


def dot(z: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """Inner-product decoder (GAE): ``z`` [N, d], ``pairs`` [2, P] -> logits [P]."""
    return (z[pairs[0]] * z[pairs[1]]).sum(dim=-1)
