"""Modern Hopfield retrieval over the training set, for the tabular track.

Ramsauer et al. 2020, "Hopfield Networks is All You Need" (ICLR 2021),
https://arxiv.org/abs/2008.02217: one update of a continuous modern Hopfield
network, ``softmax(beta * Q K^T) V``, is attention over stored patterns. Here
the stored patterns are the training rows, as in Hopular (Schäfl et al. 2022,
https://arxiv.org/abs/2206.00664) and other retrieval-style tabular models:
a row's query is matched against the keys of every training row and the
retrieved value is a softmax-weighted mix of their labels. Learning the
query and key maps learns the similarity (cf. neighbourhood components
analysis, Goldberger et al. 2004, which likewise leaves each point out of its
own softmax).

Leave-one-out training: a training row would otherwise retrieve its own
label, drive its own weight to 1, and learn nothing about its neighbours;
so in training mode each query is masked out of its own memory (every
stored row equal to it). At validation and test time the memory is the
whole training set (so the training-set score of the learning curves, taken
in evaluation mode, includes self-retrieval, as a 1-NN's would).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from suite.errors import ConfigError
from suite.method import register_method

LOG_EPS = 1e-9  # retrieved class shares are floored before the log


def _encoder(in_channels: int, hidden: int, layers: int) -> torch.nn.Module:
    """``layers`` = 1: a linear map, as a Hopfield layer's W_Q / W_K; 2: Linear -> ReLU -> Linear."""
    if layers == 1:
        return torch.nn.Linear(in_channels, hidden)
    return torch.nn.Sequential(torch.nn.Linear(in_channels, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden))


@register_method(
    "hopfield", kind="retrieval",
    paper="Ramsauer et al. 2020, Hopfield Networks is All You Need (ICLR 2021), https://arxiv.org/abs/2008.02217; "
          "retrieval over the training set as in Hopular, Schäfl et al. 2022, https://arxiv.org/abs/2206.00664",
    defaults=dict(hidden=64, layers=2, beta=0.0, dropout=0.1, lr=1e-3, weight_decay=1e-5, epochs=300,
                  batch_size=64),
    grid=dict(hidden=[32, 64, 128], layers=[1, 2], beta=[0.0], dropout=[0.0, 0.1, 0.3], lr=[3e-4, 1e-3, 3e-3],
              weight_decay=[0.0, 1e-5, 1e-3], epochs=[300], batch_size=[64]),
    tracks=("tabular",),
    size_key="hidden",
)
class HopfieldRetrieval(torch.nn.Module):
    """Rows [B, d] -> class log-probabilities [B, C] or standardised predictions [B, 1], by retrieval.

    Memory (set by :meth:`setup`): the training rows ``X`` [N, d] and their
    values ``V`` [N, C] (one-hot labels) or [N, 1] (standardised targets).
    ``forward(x) = softmax(beta * q(x) k(X)^T) V`` with learned encoders
    ``q``, ``k`` (``layers`` deep, width ``hidden``); ``beta = 0`` means
    ``1 / sqrt(hidden)``, the scaled dot product. Classification returns the
    log of the retrieved class shares.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 2, beta: float = 0.0,
                 dropout: float = 0.1, target: str = "classification"):
        super().__init__()
        if target not in ("classification", "regression"):
            raise ConfigError(f"hopfield handles classification and regression, not {target!r}")
        if layers not in (1, 2):
            raise ConfigError(f"hopfield: layers must be 1 or 2, got {layers}")
        self.query = _encoder(in_channels, hidden, layers)
        self.key = _encoder(in_channels, hidden, layers)
        self.beta = beta if beta > 0 else 1.0 / math.sqrt(hidden)
        self.dropout, self.target, self.out_channels = dropout, target, out_channels
        # buffers, so they move with the model; filled by setup(view), never saved with the weights
        self.register_buffer("memory_x", None, persistent=False)
        self.register_buffer("memory_v", None, persistent=False)

    def setup(self, view) -> None:
        """Store the training rows [N, d] and their values [N, C] or [N, 1] as the memory (not trained)."""
        y = view.y_train
        values = F.one_hot(y, self.out_channels).float() if self.target == "classification" else y.view(-1, 1).float()
        self.memory_x, self.memory_v = view.x_train.detach().clone(), values

    def self_match(self, x: torch.Tensor) -> torch.Tensor:
        """[B, N] True where query row b equals stored row n (the row itself, or an exact duplicate)."""
        # Direct differences (not the |a|^2 + |b|^2 - 2ab expansion): exactly 0 for equal rows, > 0 otherwise.
        return torch.cdist(x, self.memory_x, compute_mode="donot_use_mm_for_euclid_dist") == 0

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.memory_x is None:
            raise RuntimeError("hopfield: call setup(view) before forward (it stores the memory)")
        q = self.query(F.dropout(x, self.dropout, self.training))
        k = self.key(self.memory_x)
        scores = self.beta * q @ k.t()  # [B, N]
        if self.training:  # leave-one-out: no row retrieves its own label
            scores = scores.masked_fill(self.self_match(x), float("-inf"))
        retrieved = torch.softmax(scores, dim=-1) @ self.memory_v  # [B, C] or [B, 1]
        if self.target == "regression":
            return retrieved
        return retrieved.clamp_min(LOG_EPS).log()
