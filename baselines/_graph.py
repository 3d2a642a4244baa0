"""Pieces shared by the graph-level baselines: pooling, the MLP readout, batch norm, random node
features and Laplacian positional encodings.

A batch here is a PyG ``Batch`` of graphs (``x`` [N, F], ``edge_index`` [2, E],
``batch`` [N] graph ids, ``num_graphs`` B); a lone ``Data`` counts as one graph.
The nodes of each graph are contiguous in ``x``, as ``Batch.from_data_list`` lays them out.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch_geometric.nn import BatchNorm, global_add_pool, global_max_pool, global_mean_pool
from torch_geometric.utils import degree

from suite.errors import ConfigError

POOLS = {"sum": global_add_pool, "mean": global_mean_pool, "max": global_max_pool}


def graph_index(batch) -> tuple[Tensor, int]:
    """The graph id of every node [N] and the number of graphs B."""
    if getattr(batch, "batch", None) is None:
        return torch.zeros(batch.num_nodes, dtype=torch.long, device=batch.x.device), 1
    return batch.batch, batch.num_graphs


def check_readout(method: str, readout: str) -> None:
    if readout not in POOLS:
        raise ConfigError(f"{method}: readout must be one of {', '.join(POOLS)}, got {readout!r}")


def pool(x: Tensor, index: Tensor, num_graphs: int, readout: str) -> Tensor:
    """Node representations [N, d] -> one vector per graph [B, d] (``sum``, ``mean`` or ``max``)."""
    return POOLS[readout](x, index, size=num_graphs)


def batch_norm(channels: int) -> BatchNorm:
    """BatchNorm over nodes that accepts a batch of one node (a last mini-batch holding one
    single-atom molecule), which it normalises with the running statistics."""
    return BatchNorm(channels, allow_single_element=True)


def mlp_readout(width: int, out_channels: int, layers: int = 2) -> torch.nn.Sequential:
    """benchmarking-gnns' ``MLPReadout`` (also GraphGPS's graph head): graph vectors [B, width] -> [B, out_channels].

    ``layers`` hidden Linear-ReLU blocks whose widths halve (width/2, width/4,
    at least 1), then a linear output layer.
    """
    blocks, d = [], width
    for level in range(1, layers + 1):
        blocks += [torch.nn.Linear(d, max(width >> level, 1)), torch.nn.ReLU()]
        d = max(width >> level, 1)
    return torch.nn.Sequential(*blocks, torch.nn.Linear(d, out_channels))


def random_features(num_nodes: int, dims: int, like: Tensor) -> Tensor:
    """Fresh N(0, 1) node features [num_nodes, dims] from torch's global RNG (so the run's seed fixes them)."""
    return torch.randn(num_nodes, dims, dtype=like.dtype, device=like.device)


def laplacian_pe(edge_index: Tensor, index: Tensor, num_graphs: int, dims: int, flip: bool) -> Tensor:
    """Laplacian positional encodings (Dwivedi et al. 2020, benchmarking-gnns): [N, dims].

    Per graph, the eigenvectors of the symmetric normalised Laplacian
    ``I - D^-1/2 A D^-1/2`` with the ``dims`` smallest eigenvalues after the
    first (trivial) one, self-loops left out; a graph with ``n <= dims`` nodes gets zeros in the
    columns past its ``n - 1`` eigenvectors, and an isolated node a 1 on the
    diagonal (as PyG's ``get_laplacian``). With ``flip`` each eigenvector's
    sign is drawn at random per graph (training: the sign is arbitrary, so
    the model must not rely on it).

    Dense ``torch.linalg.eigh``: O(n^3) time and O(n^2) memory per graph,
    meant for small graphs (CSL's 41 nodes, molecules). Graphs of equal size
    are decomposed together in one batched call.
    """
    num_nodes = index.numel()
    pe = torch.zeros(num_nodes, dims, device=index.device)
    counts = torch.bincount(index, minlength=num_graphs)
    start = counts.cumsum(0) - counts
    src, dst = edge_index[:, edge_index[0] != edge_index[1]]  # self-loops dropped, as get_laplacian does
    deg = degree(src, num_nodes, dtype=torch.float64)
    dinv = deg.pow(-0.5).masked_fill(deg == 0, 0.0)
    weight = dinv[src] * dinv[dst]
    slot = torch.full((num_graphs,), -1, dtype=torch.long, device=index.device)
    for n in counts.unique().tolist():
        k = min(dims, n - 1)
        if k < 1:
            continue
        graphs = (counts == n).nonzero().view(-1)
        slot[graphs] = torch.arange(graphs.numel(), device=index.device)
        lap = torch.eye(n, dtype=torch.float64, device=index.device).repeat(graphs.numel(), 1, 1)
        sel = counts[index[src]] == n
        g = index[src[sel]]
        lap.index_put_((slot[g], src[sel] - start[g], dst[sel] - start[g]), -weight[sel], accumulate=True)
        vectors = torch.linalg.eigh(lap).eigenvectors[:, :, 1:k + 1]  # eigenvalues ascend; skip the trivial one
        if flip:
            vectors = vectors * (torch.randint(0, 2, (graphs.numel(), 1, k), device=index.device) * 2 - 1)
        nodes = (start[graphs, None] + torch.arange(n, device=index.device)).view(-1)
        pe[nodes, :k] = vectors.reshape(-1, k).float()
    return pe

