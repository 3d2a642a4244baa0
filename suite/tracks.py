"""Tracks: everything that differs between node classification and link prediction, in one table.

A :class:`Track` says how one run is prepared (what the method sees, what
the objective holds for validation, what only the evaluator holds), which
objective trains it (:mod:`suite.objective`), and what the evaluator accepts
as test output. The runner, worker, loop, evaluator and results store look a
task's track up here and are otherwise shared; adding a track is adding a
dataset type, a view function (:mod:`suite.view`), an objective and an entry
in :data:`TRACKS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch_geometric.data import Data

from suite.datasets.base import LinkDataset, LinkSplit, NodeDataset, Split
from suite.objective import LinkPrediction, NodeClassification
from suite.view import link_view, node_view


@dataclass
class Prepared:
    view: Data  # sent to the method: no validation or test labels
    held: dict  # sent to the objective in the worker: validation labels, unlabelled test items
    y_true: torch.Tensor  # test labels: stay in the runner's process, for the evaluator only


def _prepare_node(data: NodeDataset, split: Split, input_layout: str, x: torch.Tensor) -> Prepared:
    return Prepared(node_view(data, split, input_layout, x=x), {"y_val": data.y[split.val].clone()},
                    data.y[split.test])


def _prepare_link(data: LinkDataset, split: LinkSplit, input_layout: str, x: torch.Tensor) -> Prepared:
    held = {"val_pairs": split.val_pairs, "val_label": split.val_label, "test_pairs": split.test_pairs}
    return Prepared(link_view(data, split, x=x), held, split.test_label)


@dataclass(frozen=True)
class Track:
    name: str
    prepare_split: Callable[..., Prepared]  # (data, split, input_layout, x) -> Prepared
    objective: type
    y_pred_dims: tuple[int, ...] = (1,)  # accepted ranks of the evaluator's y_pred
    binary_labels: bool = False  # y_true must hold both 1s and 0s
    input_format: str = ""  # the evaluator's printed input contract

    def prepare(self, data, split_id: int, input_layout: str, x: torch.Tensor) -> Prepared:
        return self.prepare_split(data, data.splits[split_id], input_layout, x)


TRACKS: dict[str, Track] = {
    "node": Track(
        "node", _prepare_node, NodeClassification, y_pred_dims=(1, 2),
        input_format="- y_true: torch.LongTensor of shape (num_test_nodes,), class ids in [0, num_classes)\n"
                     "- y_pred: torch.Tensor of shape (num_test_nodes, num_classes) with class scores, "
                     "or torch.LongTensor (num_test_nodes,) with class ids\n"
                     "  rows in the order of the split's test_idx"),
    "link": Track(
        "link", _prepare_link, LinkPrediction, y_pred_dims=(1,), binary_labels=True,
        input_format="- y_true: torch.LongTensor of shape (num_test_pairs,), 1 for a held-out edge, 0 for a "
                     "negative\n"
                     "- y_pred: torch.Tensor of shape (num_test_pairs,) with one real score per pair (higher = "
                     "more likely an edge)\n"
                     "  rows in the order of the split's test_pairs; every positive is ranked against all "
                     "negatives"),
}


def get_track(name: str) -> Track:
    try:
        return TRACKS[name]
    except KeyError:
        raise KeyError(f"unknown track {name!r}; known: {', '.join(TRACKS)}") from None
