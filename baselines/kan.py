"""KAN: Kolmogorov-Arnold Network with B-spline edges (Liu et al. 2024, https://arxiv.org/abs/2404.19756).

Every edge (input i -> output o) of a KAN layer carries its own learnable
univariate function, as in the paper's Sec. 2.2 (residual activation)

    phi_io(x) = w_b[i, o] * silu(x) + w_s[i, o] * sum_j c[i, o, j] B_j(x),

and an output sums its incoming edges: ``y_o = sum_i phi_io(x_i)``. The
``B_j`` are the G + k B-splines of order k on a uniform grid of G intervals
over ``grid_range``, extended by k knots on each side.

Here the layer is vectorised: the basis of every input is one Cox-de Boor
recursion on a [G + 2k, B, in] tensor (shrinking to [G + k, B, in]), with
the spline's analytic derivative as its backward, and the spline sum over
every edge one ``einsum`` with the coefficients (no per-edge loop).

Grid range: fixed at [-2, 2] (``grid_range``), which covers the standardised
inputs of the function track (a uniform input standardises to +-1.73). The
grid is not updated from samples (pykan's ``update_grid``): a hidden
activation that leaves the range falls on the extended knots' partial
support within 3 grid steps of it, then on none, where the edge is its
``w_b * silu(x)`` term alone, which stays defined and trainable. The model is
a 2-layer KAN ``[in, hidden, out]``; layers have no bias (the splines are a
partition of unity on the grid, so each edge already holds a constant).

Initialisation close to pykan's defaults: ``w_b ~ U(-1, 1) / sqrt(in)``, ``w_s = 1 / sqrt(in)``,
spline coefficients ``c ~ U(-0.05, 0.05) / G`` (small noise). Parameters per
edge: G + k coefficients + w_b + w_s (10 at G=5, k=3).

FLOPs per example (:meth:`KAN.flops_per_example`), the function track's
convention (multiply-add 2 FLOPs, an activation 1 per element) with the
spline basis counted as this recursion computes it (:func:`basis_flops`:
154 per input value at G=5, k=3: every comparison, subtraction, product and
sum of the recursion over all G + 2k knot intervals, zeros included); one
SiLU per input; and per edge G + k + 1 multiply-adds (the spline
coefficients and w_b; the product w_s * c is per weight, not per example,
and is not counted).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from suite.method import register_method


def uniform_knots(grid_size: int, order: int, grid_range: tuple[float, float] = (-2.0, 2.0)) -> torch.Tensor:
    """Knots t_0..t_{G+2k} [G + 2k + 1]: G uniform intervals on ``grid_range`` extended by ``order`` on each side."""
    lo, hi = grid_range
    step = (hi - lo) / grid_size
    return lo + step * torch.arange(-order, grid_size + order + 1, dtype=torch.float64)


def _cox_de_boor(x: torch.Tensor, grid_size: int, order: int, grid_range: tuple[float, float]):
    """The recursion of :func:`bspline_basis`; also returns the order k - 1 basis (for the derivative) and h."""
    lo, hi = grid_range
    step = (hi - lo) / grid_size
    j = torch.arange(grid_size + 2 * order, dtype=x.dtype, device=x.device).view(-1, *([1] * x.dim()))
    v = (x.unsqueeze(0) - (lo - order * step)) / step - j  # [G + 2k, *S]: v_j
    basis, lower = ((v >= 0) & (v < 1)).to(x.dtype), None  # order 0
    for p in range(1, order + 1):
        lower, upper = basis, basis[1:]
        # (v B_j + (p + 1 - v) B_{j+1}) / p, written as one fused multiply-add on (B_j - B_{j+1})
        basis = torch.addcmul(upper * ((p + 1) / p), v[:-p], basis[:-1] - upper, value=1.0 / p)
    return basis, lower, step


class _BSplineBasis(torch.autograd.Function):
    """:func:`_cox_de_boor` with its analytic derivative, ``dB_{j,k}/dx = (B_{j,k-1} - B_{j+1,k-1}) / h``
    on a uniform grid: backward costs one product and a sum instead of retracing the recursion."""

    @staticmethod
    def forward(ctx, x, grid_size, order, grid_range):
        basis, lower, step = _cox_de_boor(x, grid_size, order, grid_range)
        ctx.save_for_backward(lower if lower is not None else basis)
        ctx.step, ctx.order = step, order
        return basis

    @staticmethod
    def backward(ctx, grad):
        (lower,) = ctx.saved_tensors
        if ctx.order == 0:  # piecewise constant: zero derivative
            return torch.zeros_like(grad[0]), None, None, None
        return (grad * (lower[:-1] - lower[1:])).sum(0) / ctx.step, None, None, None


def bspline_basis(x: torch.Tensor, grid_size: int, order: int,
                  grid_range: tuple[float, float] = (-2.0, 2.0)) -> torch.Tensor:
    """The G + k B-splines of ``order`` k on :func:`uniform_knots` at every entry of ``x``, by Cox-de Boor.

    Shapes: x [*S] -> [G + k, *S] (the basis axis first, so every step of
    the recursion runs over contiguous rows of the batch). On a uniform grid
    of step h, with ``v_j = (x - t_j) / h``, the recursion reads
    ``B_{j,0} = [0 <= v_j < 1]`` and
    ``B_{j,p} = (v_j B_{j,p-1} + (p + 1 - v_j) B_{j+1,p-1}) / p``.
    On ``grid_range`` the values sum to 1 (partition of unity); outside
    ``[t_0, t_{G+2k})`` they are all 0. Differentiable in ``x``.
    """
    return _BSplineBasis.apply(x, grid_size, order, tuple(grid_range))


def basis_flops(grid_size: int, order: int) -> int:
    """FLOPs of :func:`bspline_basis` per input value, as it computes them: (x - t_0) / h once (2), minus j for
    each of the n = G + 2k intervals (n), the order-0 indicator (3 each: two comparisons and an and), then 4
    per value of each order p = 1..k (a difference, a scale, a fused multiply-add). 154 at G=5, k=3."""
    n = grid_size + 2 * order
    return 2 + n + 3 * n + sum(4 * (n - p) for p in range(1, order + 1))


class KANLayer(torch.nn.Module):
    """One KAN layer: x [B, in_features] -> y [B, out_features], ``y_o = sum_i phi_io(x_i)``."""

    def __init__(self, in_features: int, out_features: int, grid_size: int = 5, order: int = 3,
                 grid_range: tuple[float, float] = (-2.0, 2.0)):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.grid_size, self.order, self.grid_range = grid_size, order, tuple(grid_range)
        scale = 1 / math.sqrt(in_features)
        self.base_weight = torch.nn.Parameter((torch.rand(in_features, out_features) * 2 - 1) * scale)  # w_b
        self.spline_scale = torch.nn.Parameter(torch.full((in_features, out_features), scale))  # w_s
        self.coef = torch.nn.Parameter((torch.rand(in_features, out_features, grid_size + order) - 0.5)
                                       * 0.1 / grid_size)  # c [in, out, G + k]

    def basis(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, in] -> B-spline values [G + k, B, in]."""
        return bspline_basis(x, self.grid_size, self.order, self.grid_range)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        spline = torch.einsum("jbi,ioj->bo", self.basis(x), self.spline_scale.unsqueeze(-1) * self.coef)
        return F.silu(x) @ self.base_weight + spline

    def flops_per_example(self) -> int:
        """Per input: the basis and one SiLU; per edge: G + k + 1 multiply-adds (the coefficients and w_b)."""
        per_input = basis_flops(self.grid_size, self.order) + 1
        per_edge = 2 * (self.grid_size + self.order + 1)
        return self.in_features * per_input + self.in_features * self.out_features * per_edge


@register_method(
    "kan", kind="kan",
    paper="Liu et al. 2024, KAN: Kolmogorov-Arnold Networks, https://arxiv.org/abs/2404.19756",
    defaults=dict(hidden=5, grid_size=5, order=3, lr=0.01, weight_decay=0.0, epochs=2000, batch_size=None),
    grid=dict(lr=[0.01, 0.001]), tracks=("function",), size_key="hidden",
)
class KAN(torch.nn.Module):
    """2-layer KAN [in, hidden, out] with cubic B-spline edges on G=5 intervals: rows [B, d] -> [B, out]."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 5, grid_size: int = 5, order: int = 3):
        super().__init__()
        self.layers = torch.nn.ModuleList([KANLayer(in_channels, hidden, grid_size, order),
                                           KANLayer(hidden, out_channels, grid_size, order)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x

    def flops_per_example(self) -> int:
        return sum(layer.flops_per_example() for layer in self.layers)
