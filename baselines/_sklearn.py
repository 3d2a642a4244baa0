"""The adapter that makes a scikit-learn estimator a suite model (tabular track: linear, k-NN, boosted trees)."""

from __future__ import annotations

import numpy as np
import torch
from threadpoolctl import ThreadpoolController

from suite.errors import ConfigError

LOG_EPS = 1e-9  # probabilities are floored here before the log: a k-NN vote of 0 would give -inf


class SklearnEstimator(torch.nn.Module):
    """A scikit-learn estimator as a suite model: fitted in ``setup(view)``, no trainable parameters.

    ``forward(x)`` with rows ``x`` [B, d] -> class log-probabilities [B, C]
    (classification) or standardised predictions [B, 1] (regression; the
    view standardises the targets and the objective maps them back). The loop
    evaluates a model without parameters once. Subclasses build the estimator
    in :meth:`estimator_for`.
    """

    def __init__(self, out_channels: int, target: str):
        super().__init__()
        if target not in ("classification", "regression"):
            raise ConfigError(f"{type(self).__name__} handles classification and regression, not {target!r}")
        self.out_channels, self.target = out_channels, target
        self.estimator = None
        self.pools = None  # scikit-learn's OpenMP/BLAS thread pools, found once (a lookup costs ~10 ms)

    def estimator_for(self, target: str):
        raise NotImplementedError

    def threads(self):
        """Context: scikit-learn's pools default to every core; hold them to the run's torch thread count."""
        if self.pools is None:
            self.pools = ThreadpoolController()
        return self.pools.limit(limits=torch.get_num_threads())

    def setup(self, view) -> None:
        x, y = view.x_train.detach().cpu().numpy(), view.y_train.detach().cpu().numpy()
        with self.threads():
            self.estimator = self.estimator_for(self.target).fit(x, y)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.estimator is None:
            raise RuntimeError(f"{type(self).__name__}: call setup(view) before forward")
        rows = x.detach().cpu().numpy()
        with self.threads():
            if self.target == "regression":
                out = self.estimator.predict(rows).reshape(-1, 1)
            else:  # a class absent from the training rows gets probability 0 (floored)
                out = np.zeros((rows.shape[0], self.out_channels))
                out[:, self.estimator.classes_] = self.estimator.predict_proba(rows)
                out = np.log(np.maximum(out, LOG_EPS))
        return torch.as_tensor(out, dtype=torch.float32, device=x.device)
