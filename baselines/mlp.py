"""Structure-agnostic baseline: a 2-layer perceptron on node features only."""

import torch
import torch.nn.functional as F

from suite.baselines._layers import feature_dropout
from suite.method import register_method


@register_method(
    "mlp", kind="structure-agnostic",
    paper="2-layer MLP baseline as in Kipf & Welling 2017 (ICLR), https://arxiv.org/abs/1609.02907",
    defaults=dict(hidden=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200),
    grid=dict(hidden=[64, 256], dropout=[0.5], lr=[0.01, 0.001], weight_decay=[5e-4, 0.0], epochs=[200]),
    input_layout="sparse_csr", minibatch=True,
)
class MLP(torch.nn.Module):
    """Node features [N, F] -> class scores [N, C]; ignores the edges."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, dropout: float = 0.5):
        super().__init__()
        self.lin1 = torch.nn.Linear(in_channels, hidden)
        self.lin2 = torch.nn.Linear(hidden, out_channels)
        self.dropout = dropout

    def forward(self, data) -> torch.Tensor:
        x = feature_dropout(data.x, self.dropout, self.training)
        x = F.relu(self.lin1(x))
        x = F.dropout(x, self.dropout, self.training)
        return self.lin2(x)
