"""Function-fitting track: the KAN paper's toy functions and five AI Feynman formulas, at matched parameter budgets.

Liu et al. 2024 (KAN, https://arxiv.org/abs/2404.19756) compare KANs and
MLPs by how test RMSE falls with parameter count; here every method runs
at each of four parameter budgets (the task's ``variants``: geometric,
about 3.2x apart, 30x in all), sized by the runner to the largest width
within each (:mod:`suite.budget`). Budgets start where every method fits at
width 1: a 100-input KAN has 1010 parameters at width 1. The scaling slopes
are computed by :mod:`suite.scaling`.

Each task's data is regenerated from seed 0 (:mod:`suite.datasets.functions`)
and checked against a frozen SHA-256 of x and y (``DATA_SHA256``) besides the
split hash the runner checks, which covers row ids only and is the same for
every task here.
"""

from functools import partial

from suite.datasets.functions import FEYNMAN, FUNCTIONS, NUM_SPLITS, SIZES, data_hash, make_function
from suite.datasets.table import TableDataset
from suite.errors import SplitMismatchError
from suite.task import Protocol, TaskSpec, register_task

TRACK = "function"
PROTOCOL = Protocol(seeds=3, max_epochs=1000, patience=100)
SPLIT = (f"{NUM_SPLITS} independent samples of {SIZES[0]} train / {SIZES[1]} val / {SIZES[2]} test rows "
         "(block_splits); seed s uses sample s mod 3")
SPLIT_SHA256 = "fa640ee4e4762281e8a8429b6e58d12600c6bec837fe4a718d38b4cf1bdb8383"  # row ids: the same for every task

BUDGETS = {  # by input count: geometric, ~3.2x apart; each method sized within ~15% below each
    "low": (100, 300, 1000, 3000),  # 1-2 inputs
    "mid": (200, 600, 2000, 6000),  # 3-5 inputs (a 5-input KAN has 60 parameters per hidden unit)
    "wide": (1100, 3500, 11000, 35000),  # 100 inputs (a KAN has 1010 per hidden unit)
}

# task name: (function, budgets, SHA-256 of x and y as generated from seed 0)
TASKS = {
    "fn-bessel": ("bessel", "low", "679473642ed2562305de7919734cb57e18a17ab6f82be58f965fba9496bd36c9"),
    "fn-exp-sin": ("exp-sin", "low", "c0312b37a8e0a7a792baacbeba0a91285be7260b93887fb13a486e7e18e0df2e"),
    "fn-xy": ("xy", "low", "7dc1f9a5133699930bcfdb382dc7a73eace6408bd7974d8e1516dbc2ef431252"),
    "fn-exp100": ("exp100", "wide", "09a645d104a1c2919b2ffc1851ae11439bb9909ff7171054b16ead27585f30bd"),
    "fn-exp4": ("exp4", "mid", "46928d228ec7484adbac3d6d98843035bd4f12688f3a3e1085c21b53dddc04f5"),
    "feynman-i.6.2": ("I.6.2", "low", "c611aa31f57e55af193fc713f0276e8e30643dd36c85708555d98e7075d8fae3"),
    "feynman-i.12.11": ("I.12.11", "mid", "5d506a2aa25829c907391759feb1efca07c2936a3819980169cef0928b54d0c3"),
    "feynman-i.18.4": ("I.18.4", "mid", "32e0339930c1a7dbcf8c5561d69c467f21f1e858ee027c427607aa30e6042142"),
    "feynman-i.27.6": ("I.27.6", "mid", "5a1bda71226d3824b879a82d8a8f7b0596f6d5e443ac58efee0f68b5fe2e4450"),
    "feynman-i.29.16": ("I.29.16", "mid", "8f3c340dc8b374cd7538c06579340258c94604b400e3f1d306fb7dfe0889f1b6"),
}


def load_checked(function: str, sha256: str) -> TableDataset:
    """The function's dataset from seed 0, refused if its values differ from the frozen ``sha256``."""
    data = make_function(function, seed=0)
    got = data_hash(data)
    if got != sha256:
        raise SplitMismatchError(f"function {function}: data hash {got[:16]} differs from the frozen {sha256[:16]}: "
                                 "the generator changed; restore it, or bump the task version and record the new hash")
    return data


for _task, (_fn, _budgets, _sha) in TASKS.items():
    _f = FUNCTIONS[_fn]
    register_task(TaskSpec(
        name=_task, track=TRACK, dataset=f"synthetic function {_fn}", metric="rmse", split=SPLIT,
        num_splits=NUM_SPLITS, split_sha256=SPLIT_SHA256, loader=partial(load_checked, _fn, _sha),
        protocol=PROTOCOL, version=1, extra_metrics=("mae",), synthetic=True,
        description=(f"{'Feynman ' + _fn + ': ' if _f.source == FEYNMAN else ''}{_f.describe()}; "
                     f"{_f.num_inputs} input{'s' if _f.num_inputs > 1 else ''}, exact targets, "
                     "full-batch regression (RMSE in the target's units)"),
        source=_f.source + "; MLP vs KAN at matched parameters: Liu et al. 2024, https://arxiv.org/abs/2404.19756",
        variants=tuple({"param_budget": b} for b in BUDGETS[_budgets]),
    ))
