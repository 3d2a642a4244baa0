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


def output_width(target: str, num_classes: int, y: torch.Tensor) -> int:
    """Width of a model's output: the classes (``"classification"``), else one column per target column
    (1 for a scalar regression; k bits or T binary tasks)."""
    if target == "classification":
        return num_classes
    return 1 if y.dim() == 1 else y.size(1)


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


@dataclass(frozen=True)
class LinkSplit:
    """One frozen edge split for link prediction.

    ``train_pos`` [2, E_train]: training edges, each undirected edge once
    (``u < v``); the message-passing graph is made of these alone.
    ``val_pairs``/``test_pairs`` [2, P]: candidate pairs, positives (held-out
    edges) and fixed negatives (non-edges) in one seeded shuffled order, so
    position says nothing about the label; ``val_label``/``test_label`` [P]
    int64 in {0, 1}. Methods never see the labels.
    """

    train_pos: torch.Tensor
    val_pairs: torch.Tensor
    val_label: torch.Tensor
    test_pairs: torch.Tensor
    test_label: torch.Tensor

    def held_out_edges(self) -> torch.Tensor:
        """Every validation and test positive [2, n] (``u < v``): edges no model may propagate over."""
        return torch.cat([self.val_pairs[:, self.val_label == 1], self.test_pairs[:, self.test_label == 1]], 1)


def link_split_hash(splits: list[LinkSplit]) -> str:
    """SHA-256 over every split's edge and pair sets and labels, in order."""
    h = hashlib.sha256()
    for i, s in enumerate(splits):
        for part in ("train_pos", "val_pairs", "val_label", "test_pairs", "test_label"):
            t = getattr(s, part)
            h.update(f"{i}:{part}:{tuple(t.shape)}:".encode())
            h.update(t.to(torch.int64).contiguous().numpy().tobytes())
    return h.hexdigest()


@dataclass
class LinkDataset:
    """One undirected graph with node features and frozen edge splits.

    Shapes: ``x`` [N, F] float32; each split's ``train_pos`` holds the only
    edges a model may propagate over. The full edge set is not kept: nothing
    downstream needs it, and not holding it rules out leaking it.
    """

    name: str
    x: torch.Tensor
    splits: list[LinkSplit]
    notes: dict = field(default_factory=dict)

    @property
    def num_nodes(self) -> int:
        return self.x.size(0)

    def split_hash(self) -> str:
        return link_split_hash(self.splits)
