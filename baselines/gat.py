"""GAT: Velickovic et al. 2018, "Graph Attention Networks"."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv

from suite.baselines._layers import feature_dropout
from suite.method import register_method


@register_method(
    "gat", kind="gnn",
    paper="Velickovic et al. 2018 (ICLR), https://arxiv.org/abs/1710.10903",
    defaults=dict(hidden=8, heads=8, dropout=0.6, lr=0.005, weight_decay=5e-4, epochs=1000),
    grid=dict(hidden=[8], heads=[8], dropout=[0.6], lr=[0.005], weight_decay=[5e-4], epochs=[1000]),
    input_layout="sparse_csr", minibatch=True,
)
class GAT(torch.nn.Module):
    """GATConv (``heads`` x ``hidden``, ELU) then a 1-head GATConv: features [N, F] -> scores [N, C].

    Dropout 0.6 on inputs and on attention coefficients, as in the paper's
    transductive setup; the paper's 100-epoch patience is the task protocol's.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 8, heads: int = 8,
                 dropout: float = 0.6):
        super().__init__()
        self.conv1 = GATConv(in_channels, hidden, heads=heads, dropout=dropout)
        self.conv2 = GATConv(hidden * heads, out_channels, heads=1, concat=False, dropout=dropout)
        self.dropout = dropout

    def forward(self, data) -> torch.Tensor:
        x = feature_dropout(data.x, self.dropout, self.training)
        x = F.elu(self.conv1(x, data.edge_index))
        x = F.dropout(x, self.dropout, self.training)
        return self.conv2(x, data.edge_index)
