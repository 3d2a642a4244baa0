"""OGB-style evaluator: the only code that sees test labels and scores test predictions."""

from __future__ import annotations

import torch

from suite.metrics import get_metric
from suite.registry import TASKS
from suite.tracks import get_track

class Evaluator:
    """Scores predictions for one task with a strict input contract.

    >>> ev = Evaluator("cora"); print(ev.expected_input_format)
    """

    def __init__(self, task_name: str):
        self.task = TASKS.get(task_name)
        self.metrics = [get_metric(m) for m in self.task.metrics]
        self.track = get_track(self.task.track)

    @property
    def expected_input_format(self) -> str:
        return (f"==== Expected input format of Evaluator for {self.task.name}\n"
                "{'y_true': y_true, 'y_pred': y_pred}\n" + self.track.input_format)

    @property
    def expected_output_format(self) -> str:
        body = ", ".join(f"'{m.name}': float ({'higher' if m.higher_is_better else 'lower'} is better)"
                         for m in self.metrics)
        return (f"==== Expected output format of Evaluator for {self.task.name}\n{{{body}}}; "
                f"'{self.task.metric}' ranks")

    def eval(self, input_dict: dict) -> dict:
        y_true, y_pred = input_dict.get("y_true"), input_dict.get("y_pred")
        if not isinstance(y_true, torch.Tensor) or not isinstance(y_pred, torch.Tensor):
            raise TypeError("Evaluator.eval needs torch tensors 'y_true' and 'y_pred'\n" + self.expected_input_format)
        if y_true.dim() not in self.track.y_true_dims or y_pred.dim() not in self.track.y_pred_dims or y_pred.size(0) != y_true.size(0):
            raise ValueError(
                f"shape mismatch: y_true {tuple(y_true.shape)}, y_pred {tuple(y_pred.shape)}\n"
                + self.expected_input_format
            )
        if not torch.isfinite(y_pred.float()).all():
            raise ValueError("y_pred contains NaN or infinite values")
        if self.track.binary_labels and (y_true == 1).sum() * (y_true == 0).sum() == 0:
            raise ValueError("y_true needs both positives (1) and negatives (0)\n" + self.expected_input_format)
        y_pred, y_true = y_pred.detach().cpu(), y_true.cpu()
        return {m.name: m(y_pred, y_true) for m in self.metrics}
