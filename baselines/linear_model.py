"""Linear baseline for the tabular track: logistic regression (classification) or ridge (regression).

Both from scikit-learn (Pedregosa et al. 2011, JMLR 12, https://jmlr.org/papers/v12/pedregosa11a.html),
fitted once on the training rows through :class:`~suite.baselines._sklearn.SklearnEstimator`.
"""

from __future__ import annotations

from sklearn.linear_model import LogisticRegression, Ridge

from suite.baselines._sklearn import SklearnEstimator
from suite.errors import ConfigError
from suite.method import register_method

@register_method(
    "linear", kind="linear",
    paper="logistic regression (Cox 1958) / ridge regression (Hoerl & Kennard 1970), scikit-learn "
          "(Pedregosa et al. 2011, JMLR 12, https://jmlr.org/papers/v12/pedregosa11a.html)",
    defaults=dict(alpha=1.0),
    grid=dict(alpha=[0.01, 0.1, 1.0, 10.0, 100.0]),
    tracks=("tabular",),
)
class LinearModel(SklearnEstimator):
    """L2-regularised linear model: rows [B, d] -> class log-probabilities [B, C] or predictions [B, 1].

    ``alpha`` is the L2 penalty strength: ridge's ``alpha``, and logistic
    regression's ``C = 1 / alpha`` (scikit-learn's defaults at ``alpha=1``),
    so one grid serves both targets.
    """

    def __init__(self, in_channels: int, out_channels: int, alpha: float = 1.0, target: str = "classification"):
        super().__init__(out_channels, target)
        if alpha <= 0:
            raise ConfigError(f"linear: alpha must be positive, got {alpha}")
        self.alpha = alpha

    def estimator_for(self, target: str):
        if target == "regression":
            return Ridge(alpha=self.alpha)
        return LogisticRegression(C=1.0 / self.alpha, max_iter=5000)
