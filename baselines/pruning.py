"""Lottery tickets: a LeNet-300-100 pruned by magnitude (one-shot or iterative) or at random, with rewinding.

Frankle & Carbin 2019, "The Lottery Ticket Hypothesis: Finding Sparse,
Trainable Neural Networks", https://arxiv.org/abs/1803.03635 (LeNet-300-100,
Adam at lr 1.2e-3, batches of 60, Gaussian Glorot initialisation, iterative
magnitude pruning of 20% per round, the random-sparsity control);
Frankle, Dziugaite, Roy & Carbin 2020, "Linear Mode Connectivity and the
Lottery Ticket Hypothesis", https://arxiv.org/abs/1912.05671 (rewinding to
step k rather than to the initialisation; global magnitude pruning).

Every method here is the same network trained the same way (Adam, the same
epochs per round); they differ only in which weights survive and when.
Pruning uses the training loop's rounds (:func:`suite.loop.fit`): round 0
trains the dense network (also the dense reference of the track's
``steps_to_dense_val`` measure), ``next_round`` prunes and rewinds, and the
loop retrains with a fresh optimiser; the last round is reported.

What is pruned: the three weight matrices (64-300-100-10 on 64 inputs:
50,200 prunable weights), ranked together by magnitude (global pruning, as
Frankle et al. 2020 do). Biases are never pruned. The output layer is not
given the LTH paper's separate half rate: under global ranking its larger
Glorot scale (fan-in 100 + fan-out 10) already keeps it denser than the
hidden layers. A pruned weight is zero in the forward pass (``weight *
mask``) and is set to zero in storage; its gradient is then exactly zero, and
the mask is reapplied after every step so no optimiser can revive it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from suite.errors import ConfigError
from suite.method import register_method

LTH_PAPER = ("Frankle & Carbin 2019, The Lottery Ticket Hypothesis, https://arxiv.org/abs/1803.03635; "
             "rewinding: Frankle et al. 2020, https://arxiv.org/abs/1912.05671")
TRACKS = ("sparsity",)
# LTH's LeNet recipe: Adam at 1.2e-3, batches of 60, 50k iterations on MNIST (about 55 epochs, here 50);
# the sparsity tasks' protocol caps the epochs of each round (suite.tasks.sparsity).
TRAINING = dict(lr=1.2e-3, weight_decay=0.0, epochs=50, batch_size=60)
# Optimiser steps of round 0 to rewind to (0: the initialisation). Frankle et al. 2020 rewind to a few percent
# of training; 50 steps is about 3 of the 20 capped epochs on digits (18 steps each), under 1 on the teacher task.
REWIND_STEP = 50
PRUNING = dict(**TRAINING, rewind_step=REWIND_STEP)


class MaskedLinear(torch.nn.Linear):
    """A linear layer computing with ``weight * mask``: x [B, in] -> [B, out].

    ``mask`` [out, in] is a 0/1 float buffer (all ones until pruned).
    """

    def __init__(self, in_features: int, out_features: int):
        super().__init__(in_features, out_features)
        self.register_buffer("mask", torch.ones_like(self.weight))
        torch.nn.init.xavier_normal_(self.weight)  # Gaussian Glorot, as the LTH paper initialises LeNet
        torch.nn.init.zeros_(self.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


@register_method("dense", kind="lenet", paper=LTH_PAPER, defaults=TRAINING, tracks=TRACKS)
class LeNet300100(torch.nn.Module):
    """LeNet-300-100: x [B, d] -> ReLU 300 -> ReLU 100 -> class scores [B, C], with maskable weights.

    The dense network (``rounds = 1``); subclasses prune it. ``sparsity`` (the
    protocol's target share of pruned weights) is ignored here.
    """

    rounds = 1

    def __init__(self, in_channels: int, out_channels: int, sparsity: float | None = None):
        super().__init__()
        self.layers = torch.nn.ModuleList([MaskedLinear(in_channels, 300), MaskedLinear(300, 100),
                                           MaskedLinear(100, out_channels)])
        self.sparsity = sparsity

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = F.relu(layer(x))
        return self.layers[-1](x)

    @property
    def masks(self) -> list[torch.Tensor]:
        return [layer.mask for layer in self.layers]

    @property
    def prunable_weights(self) -> int:
        return sum(m.numel() for m in self.masks)

    @torch.no_grad()
    def nonzero_weights(self) -> int:
        """Non-zero parameters the forward pass computes with: masked weights plus biases."""
        return int(sum(((layer.weight * layer.mask) != 0).sum().item() + (layer.bias != 0).sum().item()
                       for layer in self.layers))

    @torch.no_grad()
    def sparsity_report(self) -> dict:
        """Achieved sparsity: the share of prunable weights (the three matrices) that are pruned."""
        total = self.prunable_weights
        kept = int(sum(m.sum().item() for m in self.masks))
        return {"nonzero_weights": int(sum(((layer.weight * layer.mask) != 0).sum().item() for layer in self.layers)),
                "prunable_weights": total, "sparsity": 1.0 - kept / total, "rounds": self.rounds,
                "layer_sparsity": [round(1.0 - m.mean().item(), 6) for m in self.masks]}


class PrunedLeNet(LeNet300100):
    """LeNet-300-100 pruned after dense training, surviving weights rewound to step ``rewind_step``.

    Subclasses say which weights survive each later round
    (:meth:`new_masks`) and how many rounds there are. The rewind snapshot is
    every parameter (weights and biases) after step ``rewind_step`` of round 0
    (step 0: the initialisation); if round 0 takes fewer steps, its last step.
    """

    def __init__(self, in_channels: int, out_channels: int, sparsity: float | None = None,
                 rewind_step: int = REWIND_STEP):
        super().__init__(in_channels, out_channels, sparsity)
        if sparsity is None or not 0.0 <= float(sparsity) < 1.0:
            raise ConfigError(f"{type(self).__name__} needs the protocol's sparsity in [0, 1), got {sparsity!r}: "
                              "run it on a sparsity-track task")
        if rewind_step < 0:
            raise ConfigError(f"rewind_step must be at least 0, got {rewind_step}")
        self.rewind_step = int(rewind_step)
        self.target_kept = round((1.0 - float(sparsity)) * self.prunable_weights)
        self._round = 0
        self._rewind = self._snapshot()  # step 0; replaced while round 0 reaches rewind_step
        self._rewound_to = 0

    def _snapshot(self) -> dict:
        return {k: v.detach().clone() for k, v in self.named_parameters()}

    @torch.no_grad()
    def on_step(self, step: int) -> None:
        if self._round == 0:
            if step <= self.rewind_step:
                self._rewind, self._rewound_to = self._snapshot(), step
        else:  # keep pruned weights at zero whatever the optimiser does
            for layer in self.layers:
                layer.weight.mul_(layer.mask)

    def new_masks(self, r: int) -> list[torch.Tensor]:
        """The masks for round ``r`` >= 1, computed from the current (trained) weights."""
        raise NotImplementedError

    @torch.no_grad()
    def next_round(self, r: int, history: list[dict]) -> None:
        """Prune (:meth:`new_masks`), then rewind every surviving parameter to the step-k snapshot."""
        masks = self.new_masks(r)
        params = dict(self.named_parameters())
        for name, value in self._rewind.items():
            params[name].copy_(value)
        for layer, mask in zip(self.layers, masks):
            layer.mask.copy_(mask)
            layer.weight.mul_(mask)
        self._round = r

    @torch.no_grad()
    def magnitude_masks(self, keep: int) -> list[torch.Tensor]:
        """Keep the ``keep`` largest-magnitude surviving weights over all three matrices (global ranking)."""
        scores = torch.cat([torch.where(layer.mask > 0, layer.weight.abs(), -1.0).flatten() for layer in self.layers])
        flat = torch.zeros_like(scores)
        flat[torch.topk(scores, keep, sorted=False).indices] = 1.0
        return [m.view_as(layer.mask) for m, layer in zip(flat.split([ly.mask.numel() for ly in self.layers]),
                                                           self.layers)]

    def sparsity_report(self) -> dict:
        return {**super().sparsity_report(), "rewind_step": self._rewound_to}


@register_method("magnitude-oneshot", kind="pruning", paper=LTH_PAPER, defaults=PRUNING, tracks=TRACKS)
class MagnitudeOneShot(PrunedLeNet):
    """LeNet-300-100: train dense, prune to the target sparsity at once by global magnitude, rewind, retrain."""

    @property
    def rounds(self) -> int:
        return 2 if self.target_kept < self.prunable_weights else 1

    def new_masks(self, r: int) -> list[torch.Tensor]:
        return self.magnitude_masks(self.target_kept)


@register_method("random-pruning", kind="pruning", paper=LTH_PAPER + " (random-sparsity control)",
                 defaults=PRUNING, tracks=TRACKS)
class RandomPruning(PrunedLeNet):
    """LeNet-300-100: train dense, prune at random to the target sparsity, rewind, retrain.

    LTH's random-sparsity control: each layer keeps as many weights as one-shot
    global magnitude pruning of the trained dense network would keep there
    (the same layer-wise rates), chosen uniformly at random within the layer
    (torch's generator, seeded by the run's seed).
    """

    @property
    def rounds(self) -> int:
        return 2 if self.target_kept < self.prunable_weights else 1

    def new_masks(self, r: int) -> list[torch.Tensor]:
        out = []
        for layer, ref in zip(self.layers, self.magnitude_masks(self.target_kept)):
            flat = torch.zeros(ref.numel(), device=ref.device)
            flat[torch.randperm(ref.numel(), device=ref.device)[:int(ref.sum().item())]] = 1.0
            out.append(flat.view_as(ref))
        return out


@register_method("imp-rewind", kind="pruning", paper=LTH_PAPER, defaults=dict(**PRUNING, prune_rate=0.2),
                 grid={**{k: [v] for k, v in PRUNING.items()}, "rewind_step": [0, REWIND_STEP], "prune_rate": [0.2]},
                 tracks=TRACKS)
class IMPRewind(PrunedLeNet):
    """LeNet-300-100 by iterative magnitude pruning with rewinding: prune ``prune_rate`` of the surviving weights
    by global magnitude each round, rewind, retrain; the last round lands on the target sparsity."""

    def __init__(self, in_channels: int, out_channels: int, sparsity: float | None = None,
                 rewind_step: int = REWIND_STEP, prune_rate: float = 0.2):
        super().__init__(in_channels, out_channels, sparsity, rewind_step)
        if not 0.0 < prune_rate < 1.0:
            raise ConfigError(f"prune_rate must be in (0, 1), got {prune_rate}")
        self.prune_rate = prune_rate
        self.schedule = imp_schedule(self.prunable_weights, self.target_kept, prune_rate)

    @property
    def rounds(self) -> int:
        return 1 + len(self.schedule)

    def new_masks(self, r: int) -> list[torch.Tensor]:
        return self.magnitude_masks(self.schedule[r - 1])


def imp_schedule(total: int, target: int, rate: float = 0.2) -> list[int]:
    """Surviving weights after each pruning round: ``rate`` of the survivors go each round (at least one),
    clamped so the last round keeps exactly ``target``. E.g. 50,200 at 0.9: 40,160, 32,128, ... 5,020 (11 rounds)."""
    kept, out = total, []
    while kept > target:
        kept = max(target, min(kept - 1, int(math.floor(kept * (1.0 - rate) + 0.5))))
        out.append(kept)
    return out
