"""GIN with random node initialisation: Abboud, Ceylan, Grohe & Lukasiewicz 2021, "The Surprising Power
of Graph Neural Networks with Random Node Initialization" (IJCAI), https://arxiv.org/abs/2010.01179,
on GIN-0 (:mod:`suite.baselines.gin`)."""

import torch

from suite.baselines._graph import random_features
from suite.baselines.gin import DEFAULTS, GIN, GRID
from suite.errors import ConfigError
from suite.method import register_method


@register_method(
    "gin-rni", kind="gnn",
    paper="Abboud, Ceylan, Grohe & Lukasiewicz 2021, The Surprising Power of Graph Neural Networks with Random "
          "Node Initialization (IJCAI), https://arxiv.org/abs/2010.01179; on GIN-0 (Xu et al. 2019)",
    defaults=dict(DEFAULTS, rni_dims=8, samples=8), grid=dict(GRID, rni_dims=[8], samples=[8]), tracks=("graph",),
    size_key="hidden",
)
class GINRNI(GIN):
    """GIN-0 with random node initialisation: [N, F] -> [B, C].

    ``rni_dims`` fresh N(0, 1) columns are appended to ``x`` at every forward
    call (partial RNI: the input features are kept). They come from torch's
    RNG, so the run's seed fixes them. A model trained on random features is
    a random function of its input: in evaluation mode the output is the mean
    over ``samples`` draws (one draw in training), which cuts the variance of
    its predictions (on the wl-pairs task, holdout accuracy about 0.8 with one
    draw and 0.9-0.95 with 8, fold 0).
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 64, layers: int = 4,
                 dropout: float = 0.5, readout: str = "sum", rni_dims: int = 8, samples: int = 8):
        if rni_dims < 1:
            raise ConfigError(f"gin-rni: rni_dims must be at least 1, got {rni_dims} (use gin for none)")
        if samples < 1:
            raise ConfigError(f"gin-rni: samples must be at least 1, got {samples}")
        super().__init__(in_channels + rni_dims, out_channels, hidden, layers, dropout, readout)
        self.rni_dims, self.samples = rni_dims, samples

    def node_features(self, batch, index: torch.Tensor, num_graphs: int) -> torch.Tensor:
        return torch.cat([batch.x, random_features(batch.x.size(0), self.rni_dims, batch.x)], dim=1)

    def forward(self, batch) -> torch.Tensor:
        if self.training:
            return super().forward(batch)
        return torch.stack([super(GINRNI, self).forward(batch) for _ in range(self.samples)]).mean(0)
