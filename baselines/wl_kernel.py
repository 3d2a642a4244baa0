"""The Weisfeiler-Lehman subtree kernel (Shervashidze et al. 2011, JMLR 12) as a linear classifier.

The kernel is the inner product of graphs' feature vectors: the counts of
each 1-WL colour (:mod:`suite.wl`) after iterations 0..h, concatenated. A
linear SVM or logistic regression on those vectors is the kernel machine
without the Gram matrix. With ``normalize`` each vector has unit L2 norm
(its full norm, colours unseen in training included), i.e. the cosine-
normalised kernel k(G, H) / sqrt(k(G, G) k(H, H)) used by most kernel
benchmarks (e.g. Morris et al. 2020, TUDataset, https://arxiv.org/abs/2007.08663).
Columns are the colours seen in the training graphs; a test graph's other
colours add nothing to a dot product with a training graph, so they are dropped.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.svm import LinearSVC
from threadpoolctl import ThreadpoolController

from suite.errors import ConfigError
from suite.method import register_method
from suite.wl import Histogram, wl_histograms

CLASSIFIERS = ("svm", "logistic")
MAX_ITER = 10_000


@register_method(
    "wl-kernel", kind="kernel",
    paper="Shervashidze et al. 2011, Weisfeiler-Lehman Graph Kernels (JMLR 12, "
          "https://jmlr.org/papers/v12/shervashidze11a.html); linear SVM / logistic regression from scikit-learn",
    defaults=dict(iterations=3, C=1.0, classifier="svm", normalize=True, lr=0.0, weight_decay=0.0, epochs=1,
                  batch_size=128),
    grid=dict(iterations=[1, 2, 3, 4, 5], C=[0.001, 0.01, 0.1, 1.0, 10.0]),
    tracks=("graph",),
)
class WLKernel(torch.nn.Module):
    """WL subtree features [B, sum_t |colours_t|] -> a linear model -> class scores [B, C].

    Fitted in :meth:`setup` on the training graphs; no trainable parameters.
    ``classifier``: "svm" (``LinearSVC``, hinge loss as the kernel SVM of the
    paper) or "logistic" (``LogisticRegression``); ``C`` is the inverse L2
    penalty of either.
    """

    def __init__(self, in_channels: int, out_channels: int, iterations: int = 3, C: float = 1.0,
                 classifier: str = "svm", normalize: bool = True, target: str = "classification"):
        super().__init__()
        if target != "classification":
            raise ConfigError(f"wl-kernel classifies graphs; this task's target is {target!r}: "
                              "use a neural method (e.g. gin) for regression and multilabel tasks")
        if iterations < 0 or C <= 0 or classifier not in CLASSIFIERS:
            raise ConfigError(f"wl-kernel: iterations must be >= 0, C > 0 and classifier one of {CLASSIFIERS}, "
                              f"got {iterations}, {C}, {classifier!r}")
        self.out_channels, self.iterations, self.C = out_channels, iterations, C
        self.classifier, self.normalize = classifier, normalize
        self.vocab: list[np.ndarray] | None = None  # per iteration: the sorted training colours (uint64)
        self.estimator = None
        self.pools = None  # scikit-learn's OpenMP/BLAS thread pools, found once

    def threads(self):
        """Context: scikit-learn's pools default to every core; hold them to the run's torch thread count."""
        if self.pools is None:
            self.pools = ThreadpoolController()
        return self.pools.limit(limits=torch.get_num_threads())

    def features(self, hists: list[Histogram], num_graphs: int) -> sp.csr_matrix:
        """[num_graphs, D] float64 sparse colour counts over the training vocabulary (unit rows with ``normalize``)."""
        rows, cols, vals, offset = [], [], [], 0
        norm2 = np.zeros(num_graphs)
        for hist, vocab in zip(hists, self.vocab):
            if self.normalize:
                norm2 += np.bincount(hist.graph, weights=hist.count.astype(np.float64) ** 2, minlength=num_graphs)
            at = np.minimum(np.searchsorted(vocab, hist.colour), vocab.size - 1)
            seen = vocab[at] == hist.colour
            rows.append(hist.graph[seen])
            cols.append(at[seen] + offset)
            vals.append(hist.count[seen].astype(np.float64))
            offset += vocab.size
        if self.normalize:
            vals = [v / np.sqrt(norm2[r]) for v, r in zip(vals, rows)]
        return sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                             shape=(num_graphs, offset))

    def setup(self, view) -> None:
        self.skip = int(getattr(view, "attribute_columns", 0) or 0)  # colours from discrete node labels only
        hists = wl_histograms(view.train_graphs, self.iterations, self.skip)
        self.vocab = [np.unique(h.colour) for h in hists]
        x, y = self.features(hists, len(view.train_graphs)), view.y_train.detach().cpu().numpy()
        if self.classifier == "svm":  # liblinear's coordinate descent shuffles: seeded from the run seed
            seed = int(np.random.randint(2**31 - 1))  # (the worker seeds NumPy)
            self.estimator = LinearSVC(C=self.C, loss="hinge", max_iter=MAX_ITER, random_state=seed)
        else:
            self.estimator = LogisticRegression(C=self.C, max_iter=MAX_ITER)
        with self.threads():
            self.estimator.fit(x, y)

    def forward(self, batch) -> torch.Tensor:
        if self.estimator is None:
            raise RuntimeError("wl-kernel: call setup(view) before forward")
        with self.threads():
            graphs = batch.to_data_list()
            s = self.estimator.decision_function(self.features(wl_histograms(graphs, self.iterations, self.skip), len(graphs)))
        classes = self.estimator.classes_
        if s.ndim == 1:  # binary: one score s for classes_[1]; softmax([-s/2, s/2]) = sigmoid(s)
            s = np.stack([-s / 2, s / 2], axis=1)
        # a class absent from training gets a score below every other, so it is never predicted
        out = np.full((s.shape[0], self.out_channels), s.min(initial=0.0) - 1.0)
        out[:, classes] = s
        return torch.as_tensor(out, dtype=torch.float32, device=batch.edge_index.device)
