"""GraphGPS: Rampasek et al. 2022, "Recipe for a General, Powerful, Scalable Graph Transformer" (NeurIPS),
https://arxiv.org/abs/2205.12454, with PyG's ``GPSConv``.

Each layer adds a local message-passing update (here GIN) and global
multi-head self-attention over the nodes of each graph, then an MLP, each
with a residual and BatchNorm. The paper's ZINC model: width 64, 4 heads,
dropout 0, attention dropout 0.5, AdamW lr 1e-3 with weight decay 1e-5,
batch 32, 10 layers with a GINE local model and random-walk encodings,
add readout, a 2-hidden-layer halving head. Here: fewer layers by default
(the graph-track budgets are 100k/500k parameters), GIN without edge
features, optional Laplacian encodings instead of random-walk ones, and
no cosine learning-rate schedule or gradient clipping (the suite's loop has
neither).
"""

import torch
from torch_geometric.nn import GINConv, GPSConv

from suite.baselines._graph import check_readout, graph_index, laplacian_pe, mlp_readout, pool
from suite.errors import ConfigError
from suite.method import register_method


@register_method(
    "gps", kind="transformer",
    paper="Rampasek et al. 2022 (NeurIPS), https://arxiv.org/abs/2205.12454",
    defaults=dict(hidden=16, heads=4, layers=4, dropout=0.0, attn_dropout=0.5, pe_dims=0, readout="mean",
                  lr=1e-3, weight_decay=1e-5, optimizer="adamw", epochs=350, batch_size=32),
    grid=dict(hidden=[8, 16], heads=[4], layers=[2, 4], dropout=[0.0], attn_dropout=[0.5], pe_dims=[0, 8],
              readout=["mean"], lr=[1e-3, 1e-4], weight_decay=[1e-5], optimizer=["adamw"], epochs=[350],
              batch_size=[32]),
    tracks=("graph",), size_key="hidden",
)
class GPS(torch.nn.Module):
    """GraphGPS with a GIN local model: node features [N, F] -> graph outputs [B, C].

    ``hidden`` is the width of one attention head; the model is
    ``heads * hidden`` wide, so every ``hidden >= 1`` builds (multi-head
    attention needs the width divisible by ``heads``) and the budget sizing
    can try any width. ``pe_dims > 0`` appends that many Laplacian
    eigenvectors to ``x`` (random signs in training; dense eigendecomposition,
    for small graphs). Then a linear embedding, ``layers`` GPSConv layers,
    ``readout`` pooling and the halving MLP head.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 16, heads: int = 4, layers: int = 4,
                 dropout: float = 0.0, attn_dropout: float = 0.5, pe_dims: int = 0, readout: str = "mean"):
        super().__init__()
        for key, value in dict(heads=heads, layers=layers).items():
            if value < 1:
                raise ConfigError(f"gps: {key} must be at least 1, got {value}")
        if pe_dims < 0:
            raise ConfigError(f"gps: pe_dims must be 0 (no encodings) or more, got {pe_dims}")
        check_readout("gps", readout)
        width = heads * hidden
        self.embed = torch.nn.Linear(in_channels + pe_dims, width)
        self.layers = torch.nn.ModuleList(
            GPSConv(width, GINConv(torch.nn.Sequential(torch.nn.Linear(width, width), torch.nn.ReLU(),
                                                       torch.nn.Linear(width, width))),
                    heads=heads, dropout=dropout, attn_type="multihead", attn_kwargs={"dropout": attn_dropout},
                    norm_kwargs={"allow_single_element": True})  # a last batch of one node
            for _ in range(layers))
        self.head = mlp_readout(width, out_channels)
        self.pe_dims, self.readout = pe_dims, readout

    def forward(self, batch) -> torch.Tensor:
        index, num_graphs = graph_index(batch)
        x = batch.x
        if self.pe_dims:
            pe = laplacian_pe(batch.edge_index, index, num_graphs, self.pe_dims, flip=self.training)
            x = torch.cat([x, pe.to(x.dtype)], dim=1)
        h = self.embed(x)
        for layer in self.layers:
            h = layer(h, batch.edge_index, index)
        return self.head(pool(h, index, num_graphs, self.readout))
