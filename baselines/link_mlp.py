"""Structure-agnostic link baseline: an MLP encoder on node features and an inner-product decoder."""

import torch
import torch.nn.functional as F

from suite.baselines._layers import feature_dropout
from suite.baselines._link import dot
from suite.method import register_method


@register_method(
    "link-mlp", kind="structure-agnostic",
    paper="MLP-on-features baseline as in Chamberlain et al. 2023 (ICLR), https://arxiv.org/abs/2209.15486",
    defaults=dict(hidden=32, embedding=16, dropout=0.0, lr=0.01, weight_decay=0.0, epochs=200, batch_size=1024),
    grid=dict(hidden=[32, 128], embedding=[16, 64], dropout=[0.0, 0.5], lr=[0.01, 0.005], weight_decay=[0.0],
              epochs=[200], batch_size=[1024]),
    tracks=("link",),
    input_layout="sparse_csr",
)
class LinkMLP(torch.nn.Module):
    """GAE's encoder with the graph taken away: (data, pairs [2, P]) -> logits [P]; ignores edges."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 32, embedding: int = 16,
                 dropout: float = 0.0):
        super().__init__()
        self.lin1 = torch.nn.Linear(in_channels, hidden)
        self.lin2 = torch.nn.Linear(hidden, embedding)
        self.dropout = dropout

    def forward(self, data, pairs: torch.Tensor) -> torch.Tensor:
        x = feature_dropout(data.x, self.dropout, self.training)
        x = F.relu(self.lin1(x))
        x = F.dropout(x, self.dropout, self.training)
        return dot(self.lin2(x), pairs)
