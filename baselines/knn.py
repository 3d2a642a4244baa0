"""k-nearest neighbours for the tabular track (Fix & Hodges 1951; Cover & Hart 1967), from scikit-learn.

Euclidean distance on the standardised features; a vote (classification)
or an average (regression) of the ``n_neighbors`` closest training rows,
uniform or weighted by inverse distance.
"""

from __future__ import annotations

from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from suite.baselines._sklearn import SklearnEstimator
from suite.errors import ConfigError
from suite.method import register_method

WEIGHTS = ("uniform", "distance")


@register_method(
    "knn", kind="non-parametric",
    paper="Cover & Hart 1967, Nearest neighbor pattern classification (IEEE Trans. Inf. Theory 13); "
          "scikit-learn KNeighbors* (Pedregosa et al. 2011, https://jmlr.org/papers/v12/pedregosa11a.html)",
    defaults=dict(n_neighbors=5, weights="uniform"),
    grid=dict(n_neighbors=[1, 3, 5, 10, 20, 50], weights=list(WEIGHTS)),
    tracks=("tabular",),
)
class KNN(SklearnEstimator):
    """k-NN: rows [B, d] -> class log-probabilities [B, C] (vote shares) or predictions [B, 1]."""

    def __init__(self, in_channels: int, out_channels: int, n_neighbors: int = 5, weights: str = "uniform",
                 target: str = "classification"):
        super().__init__(out_channels, target)
        if n_neighbors < 1 or weights not in WEIGHTS:
            raise ConfigError(f"knn: n_neighbors must be >= 1 and weights one of {WEIGHTS}, got "
                              f"{n_neighbors}, {weights!r}")
        self.n_neighbors, self.weights = n_neighbors, weights

    def setup(self, view) -> None:
        self.k = min(self.n_neighbors, view.x_train.size(0))  # a tiny training set cannot give more
        super().setup(view)

    def estimator_for(self, target: str):
        cls = KNeighborsRegressor if target == "regression" else KNeighborsClassifier
        return cls(n_neighbors=self.k, weights=self.weights)
