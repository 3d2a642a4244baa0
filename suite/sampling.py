"""Neighbour sampling for mini-batch training on large graphs (GraphSAGE-style).

PyG's ``NeighborLoader`` needs pyg-lib or torch-sparse, which have no wheels
for every platform. :class:`NeighborSampler` is the same algorithm in plain,
vectorised PyTorch over a CSR of incoming edges; :func:`neighbor_loader`
returns PyG's own loader when pyg-lib (or torch-sparse) is installed and
this one otherwise. Both yield batches with the attributes training code
uses: ``x`` [n, F] and ``edge_index`` [2, e] of the sampled subgraph (local
ids), ``n_id`` [n] (global ids; the ``batch_size`` seed nodes first) and
``input_id`` [batch_size] (positions of the seeds in ``input_nodes``).
"""

from __future__ import annotations

import torch
from torch_geometric.data import Data


class NeighborSampler:
    """Samples ``num_neighbors[h]`` incoming neighbours per node at hop ``h``, without replacement.

    ``edge_index`` [2, E] holds (source, target) pairs; messages flow source
    -> target, so a node's neighbours are the sources of its incoming edges.
    At each hop, only the nodes first reached at the previous hop are
    expanded (as PyG does); a node with fewer neighbours than the fan-out
    keeps all of them; ``-1`` keeps all neighbours at that hop.
    """

    def __init__(self, edge_index: torch.Tensor, num_nodes: int, num_neighbors: list[int]):
        target = edge_index[1]
        order = torch.argsort(target, stable=True)
        self.src = edge_index[0, order].contiguous()
        self.rowptr = torch.zeros(num_nodes + 1, dtype=torch.long)
        self.rowptr[1:] = torch.cumsum(torch.bincount(target, minlength=num_nodes), 0)
        self.num_nodes, self.num_neighbors = num_nodes, list(num_neighbors)
        self._local = torch.full((num_nodes,), -1, dtype=torch.long)  # global -> local id, reset after each batch

    def _hop(self, frontier: torch.Tensor, fanout: int, generator) -> tuple[torch.Tensor, torch.Tensor]:
        """(neighbour global ids, index into ``frontier`` of the node each was sampled for)."""
        start = self.rowptr[frontier]
        deg = self.rowptr[frontier + 1] - start
        total = int(deg.sum())
        if total == 0:
            empty = torch.empty(0, dtype=torch.long)
            return empty, empty
        seg = torch.repeat_interleave(torch.arange(len(frontier)), deg)
        seg_start = torch.cumsum(deg, 0) - deg
        offset = torch.arange(total) - torch.repeat_interleave(seg_start, deg)
        if fanout >= 0:
            # A random order inside each node's neighbour list; keep the first ``fanout``.
            order = torch.argsort(torch.rand(total, generator=generator))
            order = order[torch.argsort(seg[order], stable=True)]
            # Segments keep their positions after the stable sort, so position p's rank within its
            # segment is offset[p].
            chosen = order[offset < fanout]
            seg, offset = seg[chosen], offset[chosen]
        return self.src[start[seg] + offset], seg

    def sample(self, seeds: torch.Tensor, generator: torch.Generator | None = None) -> Data:
        """The sampled subgraph around ``seeds`` [B] (distinct global ids): seeds are local ids 0..B-1."""
        local = self._local
        n_id = [seeds]
        count, frontier = len(seeds), seeds
        rows, cols = [], []
        try:  # every id written into the scratch map is in n_id first, so the reset below clears it
            local[seeds] = torch.arange(len(seeds))
            for fanout in self.num_neighbors:
                nbr, seg = self._hop(frontier, fanout, generator)
                new = torch.unique(nbr[local[nbr] < 0])
                n_id.append(new)
                local[new] = torch.arange(count, count + len(new))
                count += len(new)
                rows.append(local[nbr])
                cols.append(local[frontier[seg]])
                frontier = new
            n_id = torch.cat(n_id)
        finally:
            local[torch.cat(n_id) if isinstance(n_id, list) else n_id] = -1
        edge_index = torch.stack([torch.cat(rows), torch.cat(cols)]) if rows else torch.empty(2, 0, dtype=torch.long)
        return Data(edge_index=edge_index, n_id=n_id, num_nodes=len(n_id), batch_size=len(seeds))


class NeighborLoader:
    """Mini-batches of ``input_nodes`` with their sampled neighbourhoods (the subset of PyG's API used here)."""

    def __init__(self, data: Data, num_neighbors: list[int], input_nodes: torch.Tensor | None = None,
                 batch_size: int = 1, shuffle: bool = False):
        self.data, self.batch_size, self.shuffle = data, batch_size, shuffle
        self.input_nodes = torch.arange(data.num_nodes) if input_nodes is None else input_nodes
        self.sampler = NeighborSampler(data.edge_index, data.num_nodes, num_neighbors)

    def __len__(self) -> int:
        return -(-len(self.input_nodes) // self.batch_size)

    def __iter__(self):
        n = len(self.input_nodes)
        perm = torch.randperm(n) if self.shuffle else torch.arange(n)
        for input_id in perm.split(self.batch_size):
            batch = self.sampler.sample(self.input_nodes[input_id])
            batch.x = _rows(self.data.x, batch.n_id)
            batch.input_id = input_id
            yield batch


def _rows(x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """``x[index]`` for dense, COO and CSR features (CSR has no row gather: go through COO)."""
    if x.layout == torch.sparse_csr:
        return x.to_sparse_coo().index_select(0, index).to_sparse_csr()
    if x.is_sparse:
        return x.index_select(0, index)
    return x[index]


def has_pyg_sampler() -> bool:
    """Whether PyG's compiled neighbour sampling (pyg-lib or torch-sparse) is installed."""
    import torch_geometric.typing as t

    return bool(getattr(t, "WITH_PYG_LIB", False) or getattr(t, "WITH_TORCH_SPARSE", False))


def neighbor_loader(data: Data, num_neighbors: list[int], input_nodes: torch.Tensor, batch_size: int,
                    shuffle: bool = True):
    """PyG's ``NeighborLoader`` where its sampler is installed, :class:`NeighborLoader` otherwise.

    Sampling runs on the CPU (as PyG's does): pass CPU tensors and move each batch to the device.
    Sparse features are gathered row by row as COO once per batch (CSR has no row gather).
    """
    x = data.x.to_sparse_coo() if data.x.layout == torch.sparse_csr else data.x
    graph = Data(x=x, edge_index=data.edge_index, num_nodes=data.num_nodes)
    if has_pyg_sampler():
        from torch_geometric.loader import NeighborLoader as PyGNeighborLoader

        return PyGNeighborLoader(graph, num_neighbors=list(num_neighbors), input_nodes=input_nodes,
                                 batch_size=batch_size, shuffle=shuffle)
    return NeighborLoader(graph, num_neighbors, input_nodes=input_nodes, batch_size=batch_size, shuffle=shuffle)
