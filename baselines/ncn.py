"""NCN: Wang et al. 2024, "Neural Common Neighbor with Completion for Link Prediction" (ICLR).

An MPNN encodes nodes; a pair (i, j) is scored from the Hadamard product of
its endpoints' embeddings and the sum of the embeddings of its common
neighbours in the graph the model is given:
``score = f(g(h_i * h_j) + beta * g'(sum_{w in N(i) ∩ N(j)} h_w))``
(the paper's ``CNLinkPredictor``). Common neighbours come from a sorted CSR
lookup in plain PyTorch, so no torch-sparse is needed. Completion (NCNC) is
not included.
"""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv

from suite.baselines._layers import feature_dropout
from suite.baselines._link import Adjacency
from suite.method import register_method


def _mlp(dims: list[int], dropout: float) -> torch.nn.Sequential:
    layers = []
    for a, b in zip(dims[:-1], dims[1:]):
        layers += [torch.nn.Linear(a, b), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
    return torch.nn.Sequential(*layers[:-2])  # no activation or dropout after the last layer


@register_method(
    "ncn", kind="gnn",
    paper="Wang, Yang, Zhang & Wang 2024 (ICLR), https://arxiv.org/abs/2302.00890",
    defaults=dict(hidden=128, layers=2, dropout=0.3, beta=1.0, lr=0.005, weight_decay=0.0, epochs=200,
                  batch_size=1024),
    grid=dict(hidden=[128, 256], layers=[1, 2], dropout=[0.3, 0.5], beta=[1.0], lr=[0.005, 0.01],
              weight_decay=[0.0], epochs=[200], batch_size=[1024]),
    tracks=("link",),
    input_layout="sparse_csr",
)
class NCN(torch.nn.Module):
    """GCN encoder + common-neighbour predictor: (data, pairs [2, P]) -> logits [P]."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 128, layers: int = 2,
                 dropout: float = 0.3, beta: float = 1.0):
        super().__init__()
        self.convs = torch.nn.ModuleList(GCNConv(in_channels if i == 0 else hidden, hidden) for i in range(layers))
        self.xij = _mlp([hidden, hidden, hidden], dropout)
        self.xcn = _mlp([hidden, hidden, hidden], dropout)
        self.out = _mlp([hidden, hidden, 1], dropout)
        self.dropout, self.beta = dropout, beta

    def encode(self, data) -> torch.Tensor:
        x = feature_dropout(data.x, self.dropout, self.training)  # sparse CSR input
        for k, conv in enumerate(self.convs):
            if k:
                x = F.dropout(F.relu(x), self.dropout, self.training)
            x = conv(x, data.edge_index)
        return x

    def forward(self, data, pairs: torch.Tensor) -> torch.Tensor:
        h = self.encode(data)
        k, w = Adjacency(data.edge_index, data.num_nodes).common_neighbors(pairs)
        cn = torch.zeros(pairs.size(1), h.size(1), device=h.device, dtype=h.dtype).index_add_(0, k, h[w])
        return self.out(self.xij(h[pairs[0]] * h[pairs[1]]) + self.beta * self.xcn(cn)).view(-1)
