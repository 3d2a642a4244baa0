"""Function-fitting datasets: the KAN paper's toy functions and five AI Feynman formulas.

Toy functions (Liu et al. 2024, "KAN: Kolmogorov-Arnold Networks",
https://arxiv.org/abs/2404.19756, Section 3.1), every input ``x_i ~ U[-1, 1]``:

* ``bessel``: ``J0(20 x)`` (1 input; ``scipy.special.j0``);
* ``exp-sin``: ``exp(sin(pi x) + y^2)`` (2 inputs);
* ``xy``: ``x y`` (2 inputs);
* ``exp100``: ``exp(mean_{i=1..100} sin^2(pi x_i / 2))`` (100 inputs);
* ``exp4``: ``exp((sin(pi (x1^2 + x2^2)) + sin(pi (x3^2 + x4^2))) / 2)`` (4 inputs).

Feynman formulas (Udrescu & Tegmark 2020, "AI Feynman",
https://arxiv.org/abs/1905.11481, ``FeynmanEquations.csv``), each input
uniform on that file's range for it:

* ``I.6.2``: ``f = exp(-(theta / sigma)^2 / 2) / (sqrt(2 pi) sigma)``; sigma, theta in [1, 3];
* ``I.12.11``: ``F = q (Ef + B v sin(theta))``; q, Ef, B, v, theta in [1, 5];
* ``I.18.4``: ``r = (m1 r1 + m2 r2) / (m1 + m2)``; m1, m2, r1, r2 in [1, 5];
* ``I.27.6``: ``foc = 1 / (1 / d1 + n / d2)``; d1, d2, n in [1, 5];
* ``I.29.16``: ``x = sqrt(x1^2 + x2^2 - 2 x1 x2 cos(theta1 - theta2))``; x1, x2, theta1, theta2 in [1, 5].

Every split is its own independent sample (:func:`~suite.datasets.table.block_splits`):
1000 training rows as in the KAN paper, 500 validation, 1000 test. Targets
are exact (no noise); the view standardises features and target with the
training rows' statistics, and RMSE is reported in the target's own units.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

import numpy as np
import scipy.special
import torch

from suite.datasets.table import TableDataset, block_splits

SIZES = (1000, 500, 1000)  # train, val, test rows per split
NUM_SPLITS = 3


@dataclass(frozen=True)
class Function:
    """A target function of ``len(ranges)`` inputs: ``fn(x)`` maps x [n, d] (float64) to y [n]."""

    name: str
    formula: str
    variables: tuple[str, ...]
    ranges: tuple[tuple[float, float], ...]
    fn: Callable[[np.ndarray], np.ndarray]
    source: str

    @property
    def num_inputs(self) -> int:
        return len(self.ranges)

    def describe(self) -> str:
        spans = ", ".join(f"{v} ~ U[{lo:g}, {hi:g}]" for v, (lo, hi) in self._grouped())
        return f"{self.formula}; {spans}"

    def _grouped(self):
        """(variables, range) with runs of equal ranges merged, so 100 inputs print as one entry."""
        out, start = [], 0
        for i in range(1, self.num_inputs + 1):
            if i == self.num_inputs or self.ranges[i] != self.ranges[start]:
                run = self.variables[start:i]
                names = ", ".join(run) if len(run) <= 6 else f"{run[0]}..{run[-1]}"
                out.append((names, self.ranges[start]))
                start = i
        return out


KAN_PAPER = "Liu et al. 2024, KAN, https://arxiv.org/abs/2404.19756 (Sec. 3.1 toy functions)"
FEYNMAN = "Udrescu & Tegmark 2020, AI Feynman, https://arxiv.org/abs/1905.11481 (FeynmanEquations.csv)"
PI = np.pi


def _unit(d: int) -> tuple[tuple[float, float], ...]:
    return ((-1.0, 1.0),) * d


FUNCTIONS: dict[str, Function] = {f.name: f for f in (
    Function("bessel", "J0(20 x)", ("x",), _unit(1), lambda x: scipy.special.j0(20 * x[:, 0]), KAN_PAPER),
    Function("exp-sin", "exp(sin(pi x) + y^2)", ("x", "y"), _unit(2),
             lambda x: np.exp(np.sin(PI * x[:, 0]) + x[:, 1] ** 2), KAN_PAPER),
    Function("xy", "x y", ("x", "y"), _unit(2), lambda x: x[:, 0] * x[:, 1], KAN_PAPER),
    Function("exp100", "exp(mean_i sin^2(pi x_i / 2)), i = 1..100", tuple(f"x{i}" for i in range(1, 101)),
             _unit(100), lambda x: np.exp(np.mean(np.sin(PI * x / 2) ** 2, axis=1)), KAN_PAPER),
    Function("exp4", "exp((sin(pi (x1^2 + x2^2)) + sin(pi (x3^2 + x4^2))) / 2)", ("x1", "x2", "x3", "x4"), _unit(4),
             lambda x: np.exp((np.sin(PI * (x[:, 0] ** 2 + x[:, 1] ** 2)) + np.sin(PI * (x[:, 2] ** 2 + x[:, 3] ** 2)))
                              / 2), KAN_PAPER),
    Function("I.6.2", "f = exp(-(theta/sigma)^2/2) / (sqrt(2 pi) sigma)", ("sigma", "theta"), ((1.0, 3.0),) * 2,
             lambda x: np.exp(-((x[:, 1] / x[:, 0]) ** 2) / 2) / (np.sqrt(2 * PI) * x[:, 0]), FEYNMAN),
    Function("I.12.11", "F = q (Ef + B v sin(theta))", ("q", "Ef", "B", "v", "theta"), ((1.0, 5.0),) * 5,
             lambda x: x[:, 0] * (x[:, 1] + x[:, 2] * x[:, 3] * np.sin(x[:, 4])), FEYNMAN),
    Function("I.18.4", "r = (m1 r1 + m2 r2) / (m1 + m2)", ("m1", "m2", "r1", "r2"), ((1.0, 5.0),) * 4,
             lambda x: (x[:, 0] * x[:, 2] + x[:, 1] * x[:, 3]) / (x[:, 0] + x[:, 1]), FEYNMAN),
    Function("I.27.6", "foc = 1 / (1/d1 + n/d2)", ("d1", "d2", "n"), ((1.0, 5.0),) * 3,
             lambda x: 1 / (1 / x[:, 0] + x[:, 2] / x[:, 1]), FEYNMAN),
    Function("I.29.16", "x = sqrt(x1^2 + x2^2 - 2 x1 x2 cos(theta1 - theta2))", ("x1", "x2", "theta1", "theta2"),
             ((1.0, 5.0),) * 4,
             lambda x: np.sqrt(x[:, 0] ** 2 + x[:, 1] ** 2 - 2 * x[:, 0] * x[:, 1] * np.cos(x[:, 2] - x[:, 3])),
             FEYNMAN),
)}


def sample(fn: Function, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows x [n, d] uniform on ``fn.ranges`` from ``numpy.random.default_rng(seed)``, and y = fn(x) [n]
    (float64; computed before the cast to float32 so the target is exact for the stored inputs' precision)."""
    rng = np.random.default_rng(seed)
    lo, hi = (np.array(b, dtype=np.float64) for b in zip(*fn.ranges))
    x = rng.uniform(lo, hi, size=(n, fn.num_inputs)).astype(np.float32).astype(np.float64)
    return x, fn.fn(x)


def make_function(name: str, seed: int = 0, sizes: tuple[int, int, int] = SIZES,
                  num_splits: int = NUM_SPLITS) -> TableDataset:
    """The regression dataset of function ``name`` (a key of :data:`FUNCTIONS`): ``num_splits`` independent
    blocks of ``sum(sizes)`` rows; x [n, d] float32, y [n] float32, ``standardize=True``."""
    fn = FUNCTIONS[name]
    x, y = sample(fn, num_splits * sum(sizes), seed)
    return TableDataset(
        name=f"function/{name}", x=torch.from_numpy(x.astype(np.float32)), y=torch.from_numpy(y.astype(np.float32)),
        target="regression", splits=block_splits(sizes, num_splits), standardize=True,
        notes={"formula": fn.formula, "ranges": dict(zip(fn.variables, fn.ranges)), "source": fn.source,
               "seed": seed, "noise": 0.0},
    )


def data_hash(data: TableDataset) -> str:
    """SHA-256 of the dataset's x and y bytes (the split hash covers only row ids, identical for every function)."""
    digest = hashlib.sha256()
    for t in (data.x, data.y):
        digest.update(str(tuple(t.shape)).encode())
        digest.update(t.contiguous().numpy().tobytes())
    return digest.hexdigest()
