"""Function-fitting MLPs: in -> hidden -> hidden -> out, ReLU or SiLU, the KAN paper's point of comparison.

Liu et al. 2024 ("KAN: Kolmogorov-Arnold Networks", https://arxiv.org/abs/2404.19756)
compare KANs with MLPs of equal parameter count on the same toy functions;
these are those MLPs: two hidden layers of width ``hidden``, trained
full-batch with Adam.

FLOPs per example (:meth:`FunctionMLP.flops_per_example`): a multiply-add
counts 2 FLOPs, a bias add 1 per output unit, an activation 1 per element
(the convention of every method of the function track: ReLU, SiLU, GELU, sin
and cos each count 1, whatever their cost in instructions).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.method import register_method

PAPER = ("MLP baseline of Liu et al. 2024, KAN: Kolmogorov-Arnold Networks, https://arxiv.org/abs/2404.19756 "
         "(equal-parameter comparison)")
DEFAULTS = dict(hidden=32, lr=0.01, weight_decay=0.0, epochs=2000, batch_size=None)
GRID = dict(lr=[0.01, 0.001])


def linear_flops(layer: torch.nn.Linear) -> int:
    """2 FLOPs per multiply-add, plus 1 per output for the bias."""
    return 2 * layer.in_features * layer.out_features + (layer.out_features if layer.bias is not None else 0)


class FunctionMLP(torch.nn.Module):
    """Rows x [B, in_channels] -> predictions [B, out_channels] through two hidden layers of width ``hidden``."""

    activation = "relu"

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 32):
        super().__init__()
        self.lin1 = torch.nn.Linear(in_channels, hidden)
        self.lin2 = torch.nn.Linear(hidden, hidden)
        self.lin3 = torch.nn.Linear(hidden, out_channels)
        self.act = F.relu if self.activation == "relu" else F.silu

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.lin1(x))
        x = self.act(self.lin2(x))
        return self.lin3(x)

    def flops_per_example(self) -> int:
        """Three linear layers plus one activation per hidden unit (2 * hidden)."""
        lins = (self.lin1, self.lin2, self.lin3)
        return sum(linear_flops(lin) for lin in lins) + self.lin1.out_features + self.lin2.out_features


@register_method("mlp-relu", kind="mlp", paper=PAPER, defaults=DEFAULTS, grid=GRID, tracks=("function",),
                 size_key="hidden")
class ReLUMLP(FunctionMLP):
    """MLP with ReLU: rows [B, d] -> [B, out], layers d -> hidden -> hidden -> out."""

    activation = "relu"


@register_method("mlp-silu", kind="mlp", paper=PAPER, defaults=DEFAULTS, grid=GRID, tracks=("function",),
                 size_key="hidden")
class SiLUMLP(FunctionMLP):
    """MLP with SiLU (smooth, as KAN's base function): rows [B, d] -> [B, out], layers d -> hidden -> hidden -> out."""

    activation = "silu"
