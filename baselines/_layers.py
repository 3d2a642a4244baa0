"""Pieces shared by several baselines."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def feature_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout on an input feature matrix [N, F], dense or sparse CSR.

    On a CSR tensor only the stored (non-zero) values are dropped and rescaled:
    dropout of a zero is a zero, so the output has exactly the distribution of
    dense ``F.dropout`` while touching ~1% of the entries of a bag-of-words
    matrix such as Cora's. The result stays CSR, which ``F.linear`` multiplies
    without densifying.
    """
    if x.layout != torch.sparse_csr:
        return F.dropout(x, p, training)
    if not training or p == 0.0:
        return x
    values = F.dropout(x.values(), p, training)
    return torch.sparse_csr_tensor(x.crow_indices(), x.col_indices(), values, x.shape)


def only_first_layer_decay(first: torch.nn.Module, rest: list[torch.nn.Module], weight_decay: float) -> list[dict]:
    """Optimiser groups with L2 on ``first`` only (as in GCN and APPNP's papers)."""
    return [
        {"params": list(first.parameters()), "weight_decay": weight_decay},
        {"params": [p for m in rest for p in m.parameters()], "weight_decay": 0.0},
    ]


def forget_cached_graph(model: torch.nn.Module, edge_index: torch.Tensor, convs: list[torch.nn.Module]) -> None:
    """Drop GCNConv's cached normalised graph when ``model`` is given another graph.

    Full-batch training passes the same ``edge_index`` object every epoch, so
    the cache holds; neighbour-sampled mini-batches bring a new subgraph each
    step, and evaluation the full graph again.
    """
    if getattr(model, "_cached_graph", None) is not edge_index:
        for conv in convs:
            conv._cached_edge_index = None
            conv._cached_adj_t = None
        model._cached_graph = edge_index
