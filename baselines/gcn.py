"""GCN: Kipf & Welling 2017, "Semi-Supervised Classification with Graph Convolutional Networks"."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

from suite.baselines._layers import feature_dropout, forget_cached_graph, only_first_layer_decay
from suite.method import register_method


@register_method(
    "gcn", kind="gnn",
    paper="Kipf & Welling 2017 (ICLR), https://arxiv.org/abs/1609.02907",
    defaults=dict(hidden=16, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200),
    grid=dict(hidden=[16, 64], dropout=[0.5], lr=[0.01], weight_decay=[5e-4, 5e-3], epochs=[200]),
    input_layout="sparse_csr", minibatch=True,
)
class GCN(torch.nn.Module):
    """Two GCNConv layers with ReLU and dropout: features [N, F] -> class scores [N, C].

    As in the paper, L2 regularisation applies to the first layer only. Input
    dropout runs on the sparse features (:func:`feature_dropout`): same model,
    same output distribution as dense dropout, far less work per epoch.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 16, dropout: float = 0.5):
        super().__init__()
        self.conv1 = GCNConv(in_channels, hidden, cached=True)
        self.conv2 = GCNConv(hidden, out_channels, cached=True)
        self.dropout = dropout

    def forward(self, data) -> torch.Tensor:
        forget_cached_graph(self, data.edge_index, [self.conv1, self.conv2])
        x = feature_dropout(data.x, self.dropout, self.training)
        x = F.relu(self.conv1(x, data.edge_index))
        x = F.dropout(x, self.dropout, self.training)
        return self.conv2(x, data.edge_index)

    def param_groups(self, weight_decay: float) -> list[dict]:
        return only_first_layer_decay(self.conv1, [self.conv2], weight_decay)
