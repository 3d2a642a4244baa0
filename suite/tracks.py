"""Per-track preparation of one run: what the method sees, what validation holds, what only the evaluator holds.

Adding a track means adding a dataset type, a view function
(:mod:`suite.view`), an objective (:mod:`suite.objective`) and a
:func:`prepare` branch here; the runner, worker, loop and results store are
shared.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch_geometric.data import Data

from suite.datasets.base import LinkDataset, NodeDataset
from suite.view import link_view, node_view

TRACKS = ("node", "link")


@dataclass
class Prepared:
    view: Data  # sent to the method: no validation or test labels
    held: dict  # sent to the objective in the worker: validation labels, unlabelled test items
    y_true: torch.Tensor  # test labels: stay in the runner's process, for the evaluator only


def prepare(track: str, data: NodeDataset | LinkDataset, split_id: int, input_layout: str,
            x: torch.Tensor) -> Prepared:
    split = data.splits[split_id]
    if track == "node":
        return Prepared(node_view(data, split, input_layout, x=x), {"y_val": data.y[split.val].clone()},
                        data.y[split.test])
    if track == "link":
        return Prepared(link_view(data, split, x=x),
                        {"val_pairs": split.val_pairs, "val_label": split.val_label, "test_pairs": split.test_pairs},
                        split.test_label)
    raise ValueError(f"unknown track {track!r}; known: {', '.join(TRACKS)}")
