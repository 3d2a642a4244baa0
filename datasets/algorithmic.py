"""Algorithmic datasets: modular arithmetic, sparse parity, and permutations learnt from basis vectors.

* Modular arithmetic (Power et al. 2022, "Grokking: generalization beyond
  overfitting on small algorithmic datasets", https://arxiv.org/abs/2201.02177):
  every pair ``(a, b)`` of residues mod ``p`` with its result ``a + b`` or
  ``a * b`` mod ``p``; a fraction of the table trains, the rest is held out.
* Sparse parity (Barak et al. 2022, "Hidden progress in deep learning: SGD
  learns parities near the computational limit", https://arxiv.org/abs/2207.08799):
  uniform ``n``-bit strings labelled by the parity of a secret subset of ``k`` bits.
* Permutations: a fixed permutation of ``k`` bit positions, learnt from the
  ``k`` standard basis vectors only and tested on random bit strings, which
  only a learner that composes the permutation exactly gets right.

Every generator draws from ``numpy.random.default_rng(seed)`` and is cheap
(milliseconds), so the tables are rebuilt on load rather than stored.
Inputs are int64 tokens (``vocab_size`` set): operands as residues, bits as
tokens 0/1, so every method of the track embeds the same kind of input.
"""

from __future__ import annotations

import numpy as np
import torch

from suite.datasets.table import TableDataset, block_splits, random_splits

OPERATIONS = {"add": np.add, "mul": np.multiply}
SYMBOLS = {"add": "+", "mul": "*"}


def make_modular(op: str, p: int = 97, train_frac: float = 0.5, num_splits: int = 3, seed: int = 0) -> TableDataset:
    """The full table of ``a op b mod p``.

    Shapes: ``x`` [p * p, 2] int64 tokens ``[a, b]`` (row ``a * p + b``),
    ``vocab_size = p``; ``y`` [p * p] int64, ``num_classes = p``. Splits: a
    random ``train_frac`` of the pairs trains, the rest is halved into
    validation and test; ``num_splits`` independent random splits from ``seed``.
    """
    if op not in OPERATIONS:
        raise ValueError(f"op must be one of {', '.join(OPERATIONS)}, got {op!r}")
    a, b = np.divmod(np.arange(p * p), p)
    y = OPERATIONS[op](a, b) % p
    x = torch.from_numpy(np.stack([a, b], axis=1)).long()
    splits = random_splits(p * p, (train_frac, (1 - train_frac) / 2), num_splits, seed)
    return TableDataset(f"modular-{op}-{p}", x, torch.from_numpy(y).long(), "classification", splits,
                        num_classes=p, vocab_size=p,
                        notes={"p": p, "op": SYMBOLS[op], "train_frac": train_frac, "seed": seed})


def make_sparse_parity(n: int = 30, k: int = 3, num_train: int = 5000, num_val: int = 1000, num_test: int = 1000,
                       num_splits: int = 3, seed: int = 0) -> TableDataset:
    """Uniform ``n``-bit strings labelled by the parity of ``k`` secret bits.

    The secret subset is drawn once from ``seed`` (the same function in every
    split); each split owns its own sample of ``num_train + num_val +
    num_test`` strings (:func:`~suite.datasets.table.block_splits`). Shapes:
    ``x`` [rows, n] int64 bits (``vocab_size = 2``), ``y`` [rows] int64 in {0, 1}.
    """
    rng = np.random.default_rng(seed)
    secret = np.sort(rng.choice(n, size=k, replace=False))
    rows = num_splits * (num_train + num_val + num_test)
    bits = rng.integers(0, 2, size=(rows, n))
    y = bits[:, secret].sum(axis=1) % 2
    return TableDataset(f"sparse-parity-{n}-{k}", torch.from_numpy(bits).long(), torch.from_numpy(y).long(),
                        "classification", block_splits((num_train, num_val, num_test), num_splits),
                        num_classes=2, vocab_size=2, notes={"n": n, "k": k, "secret": secret.tolist(), "seed": seed})


def _bits_of(codes: np.ndarray, k: int) -> np.ndarray:
    """Integers [m] -> their ``k`` low bits [m, k], bit ``i`` in column ``i``."""
    return (codes[:, None] >> np.arange(k)) & 1


def make_permutation(k: int = 16, num_val: int = 1000, num_test: int = 1000, num_splits: int = 3,
                     seed: int = 0) -> TableDataset:
    """Learn a permutation of ``k`` bit positions from its action on the basis vectors.

    Target: ``y[:, pi[i]] = x[:, i]``. Each split draws its own permutation
    ``pi`` and owns a block of rows: the ``k`` basis vectors ``e_i`` (targets
    ``e_{pi(i)}``; the whole training set), then ``num_val + num_test``
    distinct random strings with at least two ones (so none is a training
    row), validation first. Shapes: ``x`` [rows, k] int64 bits
    (``vocab_size = 2``), ``y`` [rows, k] float32 bits (``target="bits"``).
    ``notes["permutations"]`` lists each split's ``pi``.
    """
    rng = np.random.default_rng(seed)
    codes = np.arange(1 << k)
    multi = codes[_bits_of(codes, k).sum(axis=1) >= 2]
    xs, ys, perms = [], [], []
    for _ in range(num_splits):
        pi = rng.permutation(k)
        held = _bits_of(rng.choice(multi, size=num_val + num_test, replace=False), k)
        x = np.concatenate([np.eye(k, dtype=np.int64), held])
        y = np.zeros_like(x)
        y[:, pi] = x  # bit i moves to position pi[i]
        xs.append(x)
        ys.append(y)
        perms.append(pi.tolist())
    splits = block_splits((k, num_val, num_test), num_splits)
    return TableDataset(f"permutation-{k}", torch.from_numpy(np.concatenate(xs)).long(),
                        torch.from_numpy(np.concatenate(ys)).float(), "bits", splits, vocab_size=2,
                        notes={"k": k, "permutations": perms, "seed": seed})

