"""Tabular track: small real tables bundled with scikit-learn, where tree ensembles are the bar.

Grinsztajn, Oyallon & Varoquaux 2022, "Why do tree-based models still
outperform deep learning on typical tabular data?" (NeurIPS Datasets and
Benchmarks), https://arxiv.org/abs/2207.08815: on medium-sized tables,
gradient-boosted trees are the baseline a neural method has to clear.

The tables ship inside the scikit-learn package (``sklearn.datasets.load_*``,
:mod:`suite.datasets.tabular`): they are real data, so ``synthetic=False``,
but nothing is downloaded and no mirror copy is needed; the loader checks
each table's content hash as well as the split hash below.
"""

from functools import partial

from suite.datasets.tabular import load_sklearn_table
from suite.task import Protocol, TaskSpec, register_task

TRACK = "tabular"
# Mini-batch neural methods validate once per epoch; 30 epochs without a better validation score stops them.
PROTOCOL = Protocol(seeds=5, max_epochs=300, patience=30)
SPLIT = ("5 random 60/20/20 train/val/test splits from numpy.random.default_rng(0){}; features{} standardised "
         "by each split's training rows; seed s uses split s mod 5")

_TASKS = {
    # task: (table, metric, extra metrics, SHA-256 of the splits, description)
    "tab-breast-cancer": ("breast-cancer", "accuracy", (),
                          "a5839bf73e5d3c5a0a047e47855730048896f283708f425bc1332ddb002efdf5",
                          "Wisconsin diagnostic breast cancer: 569 tumours x 30 real features, malignant or benign"),
    "tab-wine": ("wine", "accuracy", (), "ba554cf4e0fc88b3037a5b459854de7afd236856d2b98e30b78ce442c7b206fd",
                 "wine recognition: 178 wines x 13 chemical measurements, 3 cultivars"),
    "tab-digits": ("digits", "accuracy", (), "19adf6027ecf45aade65a4e35ae8671e4029fb164b2a5a3a7cd26d46def220de",
                   "UCI optical handwritten digits: 1797 8x8 images as 64 pixel counts in 0..16, 10 classes"),
    "tab-diabetes": ("diabetes", "rmse", ("mae",), "8bf5716aacea4467827580173cf2e70aa83225bdbe0b5d48bec4571415daa20a",
                     "diabetes progression one year after baseline (Efron et al. 2004): 442 patients x 10 "
                     "features; rmse and mae in the target's own units"),
}
for _task, (_table, _metric, _extra, _hash, _about) in _TASKS.items():
    _regression = _metric == "rmse"
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"sklearn/{_table}", metric=_metric, extra_metrics=_extra,
        split=SPLIT.format("" if _regression else ", stratified by class", " and target" if _regression else ""),
        num_splits=5, split_sha256=_hash, loader=partial(load_sklearn_table, _table), protocol=PROTOCOL,
        version=1, synthetic=False,
        description=_about + "; bundled with scikit-learn (no download, no mirror)",
        source="scikit-learn bundled datasets (sklearn.datasets.load_*), https://scikit-learn.org/stable/datasets/"
               "toy_dataset.html; track after Grinsztajn et al. 2022, https://arxiv.org/abs/2207.08815",
    ))
