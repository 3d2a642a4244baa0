"""MLP for tabular data: the deep baseline of Gorishniy et al. 2021, "Revisiting Deep Learning Models
for Tabular Data" (NeurIPS), https://arxiv.org/abs/2106.11959.

Blocks of Linear -> ReLU -> Dropout on the standardised features, then a
linear head; trained by the shared loop with Adam on mini-batches.
"""

from __future__ import annotations

import torch

from suite.errors import ConfigError
from suite.method import register_method


@register_method(
    "tab-mlp", kind="mlp",
    paper="Gorishniy et al. 2021, Revisiting Deep Learning Models for Tabular Data (NeurIPS), "
          "https://arxiv.org/abs/2106.11959",
    defaults=dict(hidden=256, layers=3, dropout=0.1, lr=1e-3, weight_decay=1e-5, epochs=300, batch_size=64),
    grid=dict(hidden=[64, 256, 512], layers=[2, 3], dropout=[0.0, 0.1, 0.3], lr=[3e-4, 1e-3, 3e-3],
              weight_decay=[0.0, 1e-5, 1e-3], epochs=[300], batch_size=[64]),
    tracks=("tabular",),
    size_key="hidden",
)
class TabMLP(torch.nn.Module):
    """Rows [B, d] -> class scores [B, C] or standardised predictions [B, 1].

    ``layers`` linear layers in all: ``layers - 1`` hidden blocks of width
    ``hidden`` (Linear, ReLU, Dropout), then the output layer.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 256, layers: int = 3,
                 dropout: float = 0.1):
        super().__init__()
        if layers < 2:
            raise ConfigError(f"tab-mlp: layers must be at least 2 (one hidden block), got {layers}")
        blocks, width = [], in_channels
        for _ in range(layers - 1):
            blocks += [torch.nn.Linear(width, hidden), torch.nn.ReLU(), torch.nn.Dropout(dropout)]
            width = hidden
        self.net = torch.nn.Sequential(*blocks, torch.nn.Linear(width, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)
