"""GAE: Kipf & Welling 2016, "Variational Graph Auto-Encoders" (the non-variational GAE).

A GNN encoder and an inner-product decoder. The paper reconstructs the whole
adjacency; here, as in PyG's ``examples/autoencoder.py``, training edges are
scored against as many random pairs (binary cross-entropy). Unlike both, the
suite's protocol trains on mini-batches of edges and removes each batch's
own edges from the graph the encoder sees (target link removal).
"""

import torch
import torch.nn.functional as F
from torch_geometric.nn import GCNConv, SAGEConv
from torch_geometric.utils import to_torch_csr_tensor

from suite.baselines._layers import feature_dropout
from suite.baselines._link import dot
from suite.method import register_method

PAPER = "Kipf & Welling 2016 (NeurIPS BDL workshop), https://arxiv.org/abs/1611.07308"
# The paper's setting: 32-16 GCN encoder, Adam lr 0.01, 200 epochs, no dropout or weight decay.
DEFAULTS = dict(hidden=32, embedding=16, dropout=0.0, lr=0.01, weight_decay=0.0, epochs=200, batch_size=1024)
GRID = dict(hidden=[32, 128], embedding=[16, 64], dropout=[0.0, 0.5], lr=[0.01, 0.005], weight_decay=[0.0],
            epochs=[200], batch_size=[1024])


class _GAE(torch.nn.Module):
    conv = GCNConv

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 32, embedding: int = 16,
                 dropout: float = 0.0):
        super().__init__()
        self.conv1 = self.conv(in_channels, hidden)
        self.conv2 = self.conv(hidden, embedding)
        self.dropout = dropout

    def encode(self, data) -> torch.Tensor:
        """Node embeddings [N, embedding] from ``data.x`` over ``data.edge_index``."""
        x = feature_dropout(data.x, self.dropout, self.training)  # sparse CSR input
        x = F.relu(self.conv1(x, data.edge_index))
        x = F.dropout(x, self.dropout, self.training)
        return self.conv2(x, data.edge_index)

    def forward(self, data, pairs: torch.Tensor) -> torch.Tensor:
        return dot(self.encode(data), pairs)


@register_method("gae-gcn", kind="gnn", paper=PAPER, defaults=DEFAULTS, grid=GRID, tracks=("link",),
                 input_layout="sparse_csr")
class GAEGCN(_GAE):
    """Two-layer GCN encoder, inner-product decoder: (data, pairs [2, P]) -> logits [P]."""

    conv = GCNConv


@register_method("gae-sage", kind="gnn", paper=PAPER + "; encoder: Hamilton et al. 2017, "
                 "https://arxiv.org/abs/1706.02216", defaults=DEFAULTS, grid=GRID, tracks=("link",))
class GAESAGE(_GAE):
    """Two-layer GraphSAGE (mean) encoder, inner-product decoder: (data, pairs [2, P]) -> logits [P].

    Neighbours are aggregated by a sparse product with the transposed
    adjacency (CSR) of the graph of the call: the sums of gather/scatter,
    without materialising one message per edge of the wide input features.
    """

    conv = SAGEConv

    def encode(self, data) -> torch.Tensor:
        adj_t = to_torch_csr_tensor(data.edge_index.flip(0), size=(data.num_nodes, data.num_nodes))
        x = F.dropout(data.x, self.dropout, self.training)
        x = F.relu(self.conv1(x, adj_t))
        x = F.dropout(x, self.dropout, self.training)
        return self.conv2(x, adj_t)
