"""Message-passing graph classifiers built on one PyG convolution each: GCN, GAT and GatedGCN as
benchmarking-gnns runs them on the TU datasets, and GraphSAGE as Errica et al. 2020 ran it.

benchmarking-gnns (Dwivedi et al. 2020, https://arxiv.org/abs/2003.00982; configs
``TUs_graph_classification_*_100k.json``): a linear embedding of ``x``, ``L = 4``
blocks of conv -> BatchNorm -> ReLU -> residual -> dropout, a mean readout and
their ``MLPReadout``; dropout 0, no weight decay, batch size 20, Adam with an
initial lr tuned per model and dataset (PROTEINS: GCN 7e-4, GAT 1e-3,
GatedGCN 1e-4; CSL: 5e-4) and halved on plateaus, up to 1000 epochs. The
suite's loop has no schedule: the grids try lr 1e-3 and 1e-4 instead.
"""

from typing import Callable

import torch
import torch.nn.functional as F
from torch_geometric.nn import GATConv, GCNConv, ResGatedGraphConv, SAGEConv

from suite.baselines._graph import batch_norm, check_readout, graph_index, mlp_readout, pool
from suite.errors import ConfigError
from suite.method import register_method

BENCHMARKING = "Dwivedi et al. 2020, Benchmarking Graph Neural Networks (JMLR 2023), https://arxiv.org/abs/2003.00982"
LOOP = dict(lr=1e-3, weight_decay=0.0, epochs=350, batch_size=20)
GRID = dict(layers=[2, 4], dropout=[0.0, 0.5], lr=[1e-3, 1e-4], readout=["mean"], weight_decay=[0.0],
            epochs=[350], batch_size=[20])


class ConvStack(torch.nn.Module):
    """benchmarking-gnns' recipe around ``conv(width)``, a width-preserving layer: node features [N, F] ->
    graph outputs [B, C].

    ``h = Linear(x)``; ``layers`` times ``h = dropout(h + ReLU(BN(conv(h))))``;
    ``readout`` pooling per graph; ``mlp_readout`` (width -> width/2 ->
    width/4 -> C). Edge features are not used.
    """

    def __init__(self, in_channels: int, out_channels: int, width: int, layers: int, dropout: float, readout: str,
                 conv: Callable[[int], torch.nn.Module]):
        super().__init__()
        if layers < 1:
            raise ConfigError(f"{self.spec.name}: layers must be at least 1, got {layers}")
        check_readout(self.spec.name, readout)
        self.embed = torch.nn.Linear(in_channels, width)
        self.convs = torch.nn.ModuleList(conv(width) for _ in range(layers))
        self.norms = torch.nn.ModuleList(batch_norm(width) for _ in range(layers))
        self.head = mlp_readout(width, out_channels)
        self.dropout, self.readout = dropout, readout

    def forward(self, batch) -> torch.Tensor:
        index, num_graphs = graph_index(batch)
        h = self.embed(batch.x)
        for conv, norm in zip(self.convs, self.norms):
            h = F.dropout(h + F.relu(norm(conv(h, batch.edge_index))), self.dropout, self.training)
        return self.head(pool(h, index, num_graphs, self.readout))


@register_method(
    "graph-gcn", kind="gnn",
    paper="Kipf & Welling 2017 (ICLR), https://arxiv.org/abs/1609.02907; graph-level as in " + BENCHMARKING,
    defaults=dict(hidden=146, layers=4, dropout=0.0, readout="mean", **dict(LOOP, lr=7e-4)),
    grid=dict(GRID, hidden=[64, 146]), tracks=("graph",), size_key="hidden",
)
class GraphGCN(ConvStack):
    """GCN graph classifier: ``layers`` GCNConv blocks of width ``hidden``, mean readout, MLP head: [N, F] -> [B, C]."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 146, layers: int = 4,
                 dropout: float = 0.0, readout: str = "mean"):
        super().__init__(in_channels, out_channels, hidden, layers, dropout, readout, lambda w: GCNConv(w, w))


@register_method(
    "graph-gat", kind="gnn",
    paper="Velickovic et al. 2018, Graph Attention Networks (ICLR), https://arxiv.org/abs/1710.10903; graph-level "
          "as in " + BENCHMARKING,
    defaults=dict(hidden=18, heads=8, layers=4, dropout=0.0, readout="mean", **LOOP),
    grid=dict(GRID, hidden=[8, 18], heads=[8]), tracks=("graph",), size_key="hidden",
)
class GraphGAT(ConvStack):
    """GAT graph classifier: [N, F] -> [B, C].

    ``hidden`` is the width of one attention head and the model is
    ``heads * hidden`` wide (benchmarking-gnns: 18 x 8 heads = 144 at 100k
    parameters), so every ``hidden >= 1`` builds and the budget sizing can try
    any width. Every GATConv concatenates its heads, the last one too
    (benchmarking-gnns' last layer is a single head of the full width).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 18, heads: int = 8, layers: int = 4,
                 dropout: float = 0.0, readout: str = "mean"):
        if heads < 1:
            raise ConfigError(f"graph-gat: heads must be at least 1, got {heads}")
        super().__init__(in_channels, out_channels, heads * hidden, layers, dropout, readout,
                         lambda w: GATConv(w, hidden, heads=heads))


@register_method(
    "gated-gcn", kind="gnn",
    paper="Bresson & Laurent 2017, Residual Gated Graph ConvNets, https://arxiv.org/abs/1711.07553; graph-level "
          "as in " + BENCHMARKING,
    defaults=dict(hidden=69, layers=4, dropout=0.0, readout="mean", **LOOP),
    grid=dict(GRID, hidden=[64, 69]), tracks=("graph",), size_key="hidden",
)
class GatedGCN(ConvStack):
    """GatedGCN graph classifier: ``layers`` ResGatedGraphConv blocks with residuals and BatchNorm: [N, F] -> [B, C].

    PyG's ResGatedGraphConv is Bresson & Laurent's layer,
    ``h_i' = W1 h_i + sum_j sigmoid(W3 h_i + W4 h_j) * W2 h_j``; benchmarking-gnns'
    GatedGCN also normalises by the sum of the gates and updates edge
    features, which this one has none of.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 69, layers: int = 4,
                 dropout: float = 0.0, readout: str = "mean"):
        super().__init__(in_channels, out_channels, hidden, layers, dropout, readout,
                         lambda w: ResGatedGraphConv(w, w))


@register_method(
    "graph-sage", kind="gnn",
    paper="Hamilton, Ying & Leskovec 2017 (NeurIPS), https://arxiv.org/abs/1706.02216; as run by Errica et al. "
          "2020 (ICLR), https://arxiv.org/abs/1912.09893",
    # Errica et al. (config_GraphSAGE.yml): dim_embedding {32, 64}, num_layers {3, 5}, lr {1e-2, 1e-3, 1e-4},
    # aggregation {add, max, mean}, batch 32, no weight decay, up to 1000 epochs. Kept: all but lr 1e-4 and add.
    defaults=dict(hidden=64, layers=3, aggr="mean", lr=1e-3, weight_decay=0.0, epochs=350, batch_size=32),
    grid=dict(hidden=[32, 64], layers=[3, 5], aggr=["mean", "max"], lr=[1e-2, 1e-3], weight_decay=[0.0],
              epochs=[350], batch_size=[32]),
    tracks=("graph",), size_key="hidden",
)
class GraphSAGE(torch.nn.Module):
    """GraphSAGE graph classifier (Errica et al.'s): [N, F] -> [B, C].

    ``layers`` SAGEConv layers of width ``hidden`` with neighbour aggregator
    ``aggr`` (mean or max), each followed by ReLU; the outputs of all layers
    are concatenated [N, layers * hidden], max-pooled per graph, then
    Linear-ReLU-Linear. Errica et al.'s code applies a non-linearity only with
    the max aggregator (through one extra linear layer shared by all layers),
    which leaves their mean model linear up to the readout.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 3, aggr: str = "mean"):
        super().__init__()
        if layers < 1:
            raise ConfigError(f"graph-sage: layers must be at least 1, got {layers}")
        if aggr not in ("mean", "max"):
            raise ConfigError(f"graph-sage: aggr must be mean or max, got {aggr!r}")
        self.convs = torch.nn.ModuleList(SAGEConv(in_channels if i == 0 else hidden, hidden, aggr=aggr)
                                         for i in range(layers))
        self.fc1 = torch.nn.Linear(layers * hidden, hidden)
        self.fc2 = torch.nn.Linear(hidden, out_channels)

    def forward(self, batch) -> torch.Tensor:
        index, num_graphs = graph_index(batch)
        h, hs = batch.x, []
        for conv in self.convs:
            h = F.relu(conv(h, batch.edge_index))
            hs.append(h)
        g = pool(torch.cat(hs, dim=1), index, num_graphs, "max")
        return self.fc2(F.relu(self.fc1(g)))
