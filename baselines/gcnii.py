"""GCNII: Chen et al. 2020, "Simple and Deep Graph Convolutional Networks"."""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCN2Conv

from suite.baselines._layers import feature_dropout
from suite.method import register_method


@register_method(
    "gcnii", kind="gnn (deep)",
    paper="Chen et al. 2020 (ICML), https://arxiv.org/abs/2007.02133 (Cora setting: 64 layers)",
    defaults=dict(hidden=64, layers=64, alpha=0.1, theta=0.5, dropout=0.6, lr=0.01, weight_decay=0.01,
                  weight_decay_dense=5e-4, epochs=1000),
    grid=dict(hidden=[64], layers=[16, 64], alpha=[0.1], theta=[0.5], dropout=[0.6], lr=[0.01],
              weight_decay=[0.01], weight_decay_dense=[5e-4], epochs=[1000]),
    input_layout="sparse_csr",
)
class GCNII(torch.nn.Module):
    """Linear in, ``layers`` GCN2Conv layers (initial residual ``alpha``, identity map ``theta``), linear out.

    Features [N, F] -> scores [N, C]. Weight decay ``weight_decay`` on the
    convolutions and ``weight_decay_dense`` on the two linear layers, as in the paper.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 64,
                 alpha: float = 0.1, theta: float = 0.5, dropout: float = 0.6, weight_decay_dense: float = 5e-4):
        super().__init__()
        self.lin_in = torch.nn.Linear(in_channels, hidden)
        self.lin_out = torch.nn.Linear(hidden, out_channels)
        self.convs = torch.nn.ModuleList(
            GCN2Conv(hidden, alpha=alpha, theta=theta, layer=i + 1, shared_weights=True, cached=True)
            for i in range(layers)
        )
        self.dropout, self.weight_decay_dense = dropout, weight_decay_dense

    def forward(self, data) -> torch.Tensor:
        x = feature_dropout(data.x, self.dropout, self.training)
        x = x0 = F.relu(self.lin_in(x))
        for conv in self.convs:
            x = F.dropout(x, self.dropout, self.training)
            x = F.relu(conv(x, x0, data.edge_index))
        x = F.dropout(x, self.dropout, self.training)
        return self.lin_out(x)

    def param_groups(self, weight_decay: float) -> list[dict]:
        return [
            {"params": list(self.convs.parameters()), "weight_decay": weight_decay},
            {"params": list(self.lin_in.parameters()) + list(self.lin_out.parameters()),
             "weight_decay": self.weight_decay_dense},
        ]
