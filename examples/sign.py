"""A complete NetArena submission: SIGN (Frasca et al. 2020) on the node track.

Copy this file, change the model, the metadata and the grid, then:

    netarena submit examples/sign.py --track node

A submission uses the same API as the built-in baselines (``baselines/``): an
``nn.Module`` registered with ``@register_method``. The runner builds it as
``cls(in_channels, out_channels, **hyperparameters)`` and calls ``forward``
with the track's label-free view (README, "Submitting a method"). Training,
selection on validation, scoring on test and every measurement are the
suite's, the same for every method.
"""

import torch
import torch.nn.functional as F
from torch_geometric.nn.conv.gcn_conv import gcn_norm

from suite.method import register_method


@register_method(
    "sign",  # the method's name on the leaderboard; must not clash with a built-in one
    kind="gnn",
    paper="Frasca et al. 2020, SIGN: Scalable Inception Graph Neural Networks",
    authors="Fabrizio Frasca, Emanuele Rossi, Davide Eynard, Ben Chamberlain, Michael Bronstein, Federico Monti",
    paper_url="https://arxiv.org/abs/2004.11198",
    code_url="https://github.com/twitter-research/sign",
    tracks=("node",),
    # Every hyperparameter, the training loop's too (lr, weight_decay, epochs), with the paper's values.
    defaults=dict(hops=2, hidden=64, dropout=0.5, lr=0.01, weight_decay=5e-4, epochs=200),
    # The search space: a protocol with a tuning budget (trials > 1) draws configurations from it, the same
    # number for every method; the leaderboard discloses it OGB-style (lr: [0.005, 0.01*]).
    grid=dict(hops=[1, 2, 3], hidden=[64, 128], dropout=[0.5], lr=[0.005, 0.01], weight_decay=[5e-4], epochs=[200]),
    size_key="hidden",  # the width a --param-budget run may set
)
class SIGN(torch.nn.Module):
    """Inception-style propagated features: [X, AX, ..., A^K X] (A: GCN-normalised), one linear map per hop,
    concatenated, then a linear classifier.

    forward(data) -> [num_nodes, num_classes] class scores, where ``data`` is the node track's view:
    ``x`` [N, F], ``edge_index`` [2, E], ``train_idx``/``val_idx``/``test_idx``, ``y_train``, ``num_classes``.
    The view has no validation or test labels at all.
    """

    def __init__(self, in_channels: int, out_channels: int, hops: int = 2, hidden: int = 64, dropout: float = 0.5):
        super().__init__()
        self.hops, self.dropout = hops, dropout
        self.inception = torch.nn.ModuleList(torch.nn.Linear(in_channels, hidden) for _ in range(hops + 1))
        self.out = torch.nn.Linear((hops + 1) * hidden, out_channels)
        self._features = None  # (edge_index it was computed for, [X, AX, ...]): precomputed once, as in the paper

    @torch.no_grad()
    def propagate(self, x: torch.Tensor, edge_index: torch.Tensor) -> list[torch.Tensor]:
        """[X, AX, ..., A^K X], each [N, F]."""
        x = x.to_dense() if x.layout != torch.strided else x
        index, weight = gcn_norm(edge_index, num_nodes=x.size(0), add_self_loops=True)
        adj = torch.sparse_coo_tensor(index, weight, (x.size(0), x.size(0))).coalesce()
        out = [x]
        for _ in range(self.hops):
            out.append(torch.sparse.mm(adj, out[-1]))
        return out

    def forward(self, data) -> torch.Tensor:
        if self._features is None or self._features[0] is not data.edge_index:
            self._features = (data.edge_index, self.propagate(data.x, data.edge_index))
        hs = [F.dropout(lin(h), self.dropout, self.training) for lin, h in zip(self.inception, self._features[1])]
        return self.out(F.dropout(torch.relu(torch.cat(hs, dim=-1)), self.dropout, self.training))
