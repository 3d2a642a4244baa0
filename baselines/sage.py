"""GraphSAGE: Hamilton et al. 2017, "Inductive Representation Learning on Large Graphs"."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import SAGEConv
from torch_geometric.utils import to_torch_csr_tensor

from suite.baselines._layers import feature_dropout
from suite.method import register_method


@register_method(
    "graphsage", kind="gnn",
    paper="Hamilton, Ying & Leskovec 2017 (NeurIPS), https://arxiv.org/abs/1706.02216",
    defaults=dict(hidden=64, dropout=0.5, aggr="mean", lr=0.01, weight_decay=5e-4, epochs=200),
    grid=dict(hidden=[64, 256], dropout=[0.5], aggr=["mean"], lr=[0.01], weight_decay=[5e-4], epochs=[200]),
    input_layout="sparse_csr", minibatch=True,
)
class GraphSAGE(torch.nn.Module):
    """Two SAGEConv layers (full-batch, mean aggregator): features [N, F] -> scores [N, C].

    Neighbours are aggregated by a sparse matrix product with the cached
    transposed adjacency (``adj_t``, CSR): the same sums as gather/scatter over
    ``edge_index`` (a test checks equality), 2-3x faster on wide features.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, dropout: float = 0.5,
                 aggr: str = "mean"):
        super().__init__()
        self.conv1 = SAGEConv(in_channels, hidden, aggr=aggr)
        self.conv2 = SAGEConv(hidden, out_channels, aggr=aggr)
        self.dropout = dropout
        self._adj_t = None

    def adj_t(self, edge_index: torch.Tensor, num_nodes: int) -> torch.Tensor:
        if self._adj_t is None or self._adj_t[0] is not edge_index:  # a new graph: a sampled mini-batch
            self._adj_t = (edge_index, to_torch_csr_tensor(edge_index.flip(0), size=(num_nodes, num_nodes)))
        return self._adj_t[1]

    def forward(self, data) -> torch.Tensor:
        adj_t = self.adj_t(data.edge_index, data.num_nodes)
        x = feature_dropout(data.x, self.dropout, self.training)
        if x.layout == torch.sparse_csr:  # SAGEConv gathers rows of x, so it needs them dense
            x = x.to_dense()
        x = F.relu(self.conv1(x, adj_t))
        x = F.dropout(x, self.dropout, self.training)
        return self.conv2(x, adj_t)
