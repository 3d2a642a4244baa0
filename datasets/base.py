"""The labelled node-classification dataset the runner works from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import torch


@dataclass(frozen=True)
class Split:
    """Index sets of one split. Each is a sorted ``LongTensor`` of node ids."""

    train: torch.Tensor
    val: torch.Tensor
    test: torch.Tensor

    @classmethod
    def from_masks(cls, train_mask, val_mask, test_mask) -> "Split":
        idx = lambda m: torch.as_tensor(m).bool().nonzero().view(-1).long()  # noqa: E731
        return cls(idx(train_mask), idx(val_mask), idx(test_mask))


def split_hash(splits: list[Split]) -> str:
    """SHA-256 over every split's train/val/test index sets, in order."""
    h = hashlib.sha256()
    for i, s in enumerate(splits):
        for part, idx in (("train", s.train), ("val", s.val), ("test", s.test)):
            h.update(f"{i}:{part}:{idx.numel()}:".encode())
            h.update(idx.to(torch.int64).contiguous().numpy().tobytes())
    return h.hexdigest()


@dataclass
class NodeDataset:
    """One graph with node labels and one or more frozen splits.

    Shapes: ``x`` [N, F] float32, ``edge_index`` [2, E] int64 (both directions
    of each undirected edge), ``y`` [N] int64 in ``[0, num_classes)``.
    """

    name: str
    x: torch.Tensor
    edge_index: torch.Tensor
    y: torch.Tensor
    num_classes: int
    splits: list[Split]
    notes: dict = field(default_factory=dict)

    @property
    def num_nodes(self) -> int:
        return self.x.size(0)

    def split_hash(self) -> str:
        return split_hash(self.splits)
