"""Structure-agnostic baselines of the graph-level track: they never read ``edge_index``.

``deepsets``: Errica et al. 2020's "Baseline" for graph classification (their
``DeepMultisets``), a DeepSets model (Zaheer et al. 2017) on the multiset of
node features. ``fingerprint-mlp``: an MLP on each molecule's Morgan (ECFP)
fingerprint, the fingerprint baseline of MoleculeNet (Wu et al. 2018).
(Errica et al.'s chemical baseline, ``MolecularFingerprint``, is instead an
MLP on the sum of the atom features.) A graph method that does not beat
these has not shown that it uses the graph.
"""

import torch
import torch.nn.functional as F

from suite.baselines._graph import graph_index, pool
from suite.datasets.molecules import FP_BITS
from suite.errors import ConfigError
from suite.method import register_method



@register_method(
    "deepsets", kind="mlp",
    paper="Zaheer et al. 2017, Deep Sets (NeurIPS), https://arxiv.org/abs/1703.06114; the structure-agnostic "
          "baseline of Errica et al. 2020 (ICLR), https://arxiv.org/abs/1912.09893",
    # Errica et al. (config_Baseline{Chemical,Social}.yml): hidden {32, 128, 256}, lr {1e-6, 1e-3, 1e-1},
    # weight decay {1e-4, 1e-3, 1e-2}, batch {32, 128}, up to 3000-5000 epochs with patience 500. Kept: hidden,
    # lr 1e-3 (with 1e-2 for their extremes), weight decay 1e-4 and 1e-3, batch 32.
    defaults=dict(hidden=128, lr=1e-3, weight_decay=1e-4, epochs=350, batch_size=32),
    grid=dict(hidden=[32, 128, 256], lr=[1e-2, 1e-3], weight_decay=[1e-4, 1e-3], epochs=[350], batch_size=[32]),
    tracks=("graph",), size_key="hidden",
)
class DeepSets(torch.nn.Module):
    """Node features [N, F] -> graph outputs [B, C], ignoring the edges.

    ``ReLU(Linear(x))`` per node [N, hidden], summed per graph [B, hidden],
    then ``Linear-ReLU-Linear`` (Errica et al.'s ``DeepMultisets``).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 128):
        super().__init__()
        self.node = torch.nn.Linear(in_channels, hidden)
        self.global1 = torch.nn.Linear(hidden, hidden)
        self.global2 = torch.nn.Linear(hidden, out_channels)

    def forward(self, batch) -> torch.Tensor:
        index, num_graphs = graph_index(batch)
        g = pool(F.relu(self.node(batch.x)), index, num_graphs, "sum")
        return self.global2(F.relu(self.global1(g)))


@register_method(
    "fingerprint-mlp", kind="mlp",
    paper="Wu et al. 2018, MoleculeNet: A Benchmark for Molecular Machine Learning (Chemical Science), "
          "https://arxiv.org/abs/1703.00564 (multitask MLP on ECFP); Rogers & Hahn 2010 (Morgan/ECFP fingerprints)",
    # MoleculeNet tuned its multitask network per dataset; these sizes and the grid are this suite's choice.
    defaults=dict(hidden=512, layers=2, dropout=0.25, lr=1e-3, weight_decay=1e-5, epochs=100, batch_size=128),
    grid=dict(hidden=[256, 1024], layers=[1, 2], dropout=[0.25, 0.5], lr=[1e-3, 1e-4], weight_decay=[1e-5],
              epochs=[100], batch_size=[128]),
    tracks=("graph",), size_key="hidden",
)
class FingerprintMLP(torch.nn.Module):
    """Morgan fingerprints ``batch.fp`` [B, 2048] -> graph outputs [B, C]; ignores ``x`` and the edges.

    ``layers`` blocks of Linear -> ReLU -> Dropout of width ``hidden``, then
    a linear output layer: one output per task, so multitask data trains one
    shared network (MoleculeNet's multitask network). ``in_channels`` (the
    node-feature width) is not used.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 512, layers: int = 2,
                 dropout: float = 0.25):
        super().__init__()
        if layers < 1:
            raise ConfigError(f"fingerprint-mlp: layers must be at least 1, got {layers}")
        blocks, width = [], FP_BITS
        for _ in range(layers):
            blocks += [torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
            width = hidden
        self.net = torch.nn.Sequential(*blocks, torch.nn.Linear(width, out_channels))

    def forward(self, batch) -> torch.Tensor:
        fp = getattr(batch, "fp", None)
        if fp is None:
            raise ConfigError("fingerprint-mlp needs molecules with a Morgan fingerprint (graph.fp): "
                              "run it on the MoleculeNet tasks")
        if fp.size(-1) != FP_BITS:
            raise ConfigError(f"fingerprint-mlp expects {FP_BITS}-bit fingerprints, the graphs hold "
                              f"{fp.size(-1)}: store graph.fp as [1, {FP_BITS}]")
        return self.net(fp.view(-1, FP_BITS))
