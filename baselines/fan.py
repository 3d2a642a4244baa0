"""FAN: Fourier Analysis Network (Dong et al. 2024, https://arxiv.org/abs/2410.02675).

A FAN layer maps x [B, d_in] to

    phi(x) = [cos(W_p x) || sin(W_p x) || act(W_pbar x + b_pbar)]    [B, d_out],

with ``d_p = d_out / 4`` periodic units (the paper's default split; floor
here) and ``d_pbar = d_out - 2 d_p`` activated units; the periodic
projection has no bias, as in the paper's equation. The model is two FAN
layers of width ``hidden`` and a linear output, with GELU as the paper's
default activation. Below ``hidden = 4`` there is no periodic unit and a
layer is a plain dense layer.

FLOPs per example: the function track's convention (multiply-add 2 FLOPs,
bias 1 per output, each of cos, sin and GELU 1 per element).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.method import register_method


class FANLayer(torch.nn.Module):
    """x [B, in_features] -> [cos(W_p x), sin(W_p x), gelu(W_pbar x + b)] [B, out_features]."""

    def __init__(self, in_features: int, out_features: int, p_ratio: float = 0.25):
        super().__init__()
        self.d_p = int(out_features * p_ratio)
        self.d_pbar = out_features - 2 * self.d_p
        self.in_features, self.out_features = in_features, out_features
        # W_p (None below 4 outputs: no periodic unit, and no zero-size layer)
        self.periodic = torch.nn.Linear(in_features, self.d_p, bias=False) if self.d_p else None
        self.dense = torch.nn.Linear(in_features, self.d_pbar)  # W_pbar, b_pbar

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.gelu(self.dense(x))
        if self.periodic is None:
            return h
        p = self.periodic(x)
        return torch.cat([torch.cos(p), torch.sin(p), h], dim=-1)

    def flops_per_example(self) -> int:
        periodic = 2 * self.in_features * self.d_p + 2 * self.d_p  # projection, then cos and sin
        dense = 2 * self.in_features * self.d_pbar + self.d_pbar + self.d_pbar  # projection, bias, GELU
        return periodic + dense


@register_method(
    "fan", kind="fourier",
    paper="Dong et al. 2024, FAN: Fourier Analysis Networks, https://arxiv.org/abs/2410.02675",
    defaults=dict(hidden=32, lr=0.01, weight_decay=0.0, epochs=2000, batch_size=None),
    grid=dict(lr=[0.01, 0.001]), tracks=("function",), size_key="hidden",
)
class FAN(torch.nn.Module):
    """Two FAN layers of width ``hidden`` and a linear output: rows [B, d] -> [B, out]."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 32):
        super().__init__()
        self.layer1 = FANLayer(in_channels, hidden)
        self.layer2 = FANLayer(hidden, hidden)
        self.out = torch.nn.Linear(hidden, out_channels)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.layer2(self.layer1(x)))

    def flops_per_example(self) -> int:
        out = 2 * self.out.in_features * self.out.out_features + self.out.out_features
        return self.layer1.flops_per_example() + self.layer2.flops_per_example() + out
