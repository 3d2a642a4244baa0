"""Track objectives: what one training step optimises and how a model is validated.

The loop (:mod:`suite.loop`) is the same for every track; an objective
supplies the batches, the training loss, and the validation pass. It holds
validation labels for selection; it never holds test labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch_geometric.data import Data

from suite.metrics import Metric


@dataclass
class Evaluation:
    val_metric: float
    val_loss: float
    test_output: torch.Tensor  # the model's output rows for the test items, no labels


class NodeClassification:
    """Full-batch transductive node classification: cross-entropy on ``train_idx``."""

    def __init__(self, view: Data, y_val: torch.Tensor, metric: Metric):
        self.view, self.y_val, self.metric = view, y_val, metric

    def train_batches(self):
        return (self.view,)

    def loss(self, model: torch.nn.Module, batch: Data) -> torch.Tensor:
        out = model(batch)
        return F.cross_entropy(out[batch.train_idx], batch.y_train)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> Evaluation:
        out = model(self.view)
        val_out = out[self.view.val_idx]
        return Evaluation(
            val_metric=self.metric(val_out, self.y_val),
            val_loss=F.cross_entropy(val_out, self.y_val).item(),
            test_output=out[self.view.test_idx],
        )

    @torch.no_grad()
    def inference(self, model: torch.nn.Module) -> torch.Tensor:
        """One full inference pass, as timed for latency."""
        return model(self.view)
