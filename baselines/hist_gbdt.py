"""Histogram gradient-boosted trees for the tabular track: scikit-learn's HistGradientBoosting*.

Gradient boosting (Friedman 2001) on binned features, as LightGBM does
(Ke et al. 2017). On medium-sized tables, tree ensembles are the bar deep
models have to clear (Grinsztajn et al. 2022, https://arxiv.org/abs/2207.08815).

Seeding: the worker seeds NumPy's global generator with the run seed before
building the model, and :meth:`HistGBDT.setup` draws the estimator's
``random_state`` from it, so a seed always fits the same ensemble and
different seeds differ wherever the estimator uses randomness (with the
defaults here: none; no early stopping, no feature subsampling, so a split
determines the trees).
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from suite.baselines._sklearn import SklearnEstimator
from suite.method import register_method


@register_method(
    "hist-gbdt", kind="tree-ensemble",
    paper="Friedman 2001, Greedy function approximation: a gradient boosting machine (Ann. Statist. 29); "
          "histogram binning as LightGBM, Ke et al. 2017 (NeurIPS); scikit-learn HistGradientBoosting*",
    # scikit-learn's defaults; early stopping off, so it does not carve a second validation set out of training
    defaults=dict(learning_rate=0.1, max_iter=100, max_leaf_nodes=31, min_samples_leaf=20, l2_regularization=0.0),
    grid=dict(learning_rate=[0.03, 0.1, 0.3], max_iter=[100, 300], max_leaf_nodes=[7, 15, 31, 63],
              min_samples_leaf=[20], l2_regularization=[0.0]),
    tracks=("tabular",),
)
class HistGBDT(SklearnEstimator):
    """Boosted trees: rows [B, d] -> class log-probabilities [B, C] or predictions [B, 1]."""

    def __init__(self, in_channels: int, out_channels: int, learning_rate: float = 0.1, max_iter: int = 100,
                 max_leaf_nodes: int = 31, min_samples_leaf: int = 20, l2_regularization: float = 0.0,
                 target: str = "classification"):
        super().__init__(out_channels, target)
        self.hparams = dict(learning_rate=learning_rate, max_iter=max_iter, max_leaf_nodes=max_leaf_nodes,
                            min_samples_leaf=min_samples_leaf, l2_regularization=l2_regularization)

    def setup(self, view) -> None:
        self.random_state = int(np.random.randint(2**31 - 1))  # from the run seed (the worker seeds NumPy)
        super().setup(view)

    def estimator_for(self, target: str):
        cls = HistGradientBoostingRegressor if target == "regression" else HistGradientBoostingClassifier
        return cls(**self.hparams, early_stopping=False, random_state=self.random_state)
