"""Tracks: everything that differs between the tracks (node, link, and the example-table tracks), in one table.

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
from suite.datasets.graph import GraphDataset
from suite.datasets.table import TableDataset
from suite.objective import GraphLevel, LinkPrediction, NodeClassification, Supervised
from suite.view import graph_view, link_view, node_view, table_view


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


def _prepare_table(data: TableDataset, split: Split, input_layout: str, x: torch.Tensor) -> Prepared:
    return Prepared(table_view(data, split), {"y_val": data.y[split.val].clone()}, data.y[split.test])


def _prepare_graph(data: GraphDataset, split: Split, input_layout: str, x: torch.Tensor) -> Prepared:
    return Prepared(graph_view(data, split), {"y_val": data.y[split.val].clone()}, data.y[split.test])


def _node_context(data) -> dict:
    return {"num_nodes": data.num_nodes}


def _table_context(data: TableDataset) -> dict:
    return {"vocab_size": data.vocab_size, "target": data.target}


def _graph_context(data: GraphDataset) -> dict:
    first = data.graphs[0]
    return {"target": data.target, "edge_dim": first.edge_attr.size(1) if first.get("edge_attr") is not None else 0}


def _first_step_at(history: list[dict], rnd: int, threshold: float, key: str = "val") -> int | None:
    """The first optimiser step of round ``rnd`` after which ``key`` reached ``threshold`` (None: never)."""
    return next((h["step"] for h in history if h["round"] == rnd and h[key] is not None and h[key] >= threshold),
                None)


GROK_THRESHOLD = 0.99


def grokking_measures(result, model) -> dict:
    """Power et al. 2022: the step at which validation accuracy first reaches 99% (the grokking step), the
    step at which training accuracy did, and final accuracies (None: not within the step budget)."""
    last = result.history[-1] if result.history else {}
    return {"grok_step": _first_step_at(result.history, 0, GROK_THRESHOLD),
            "fit_step": _first_step_at(result.history, 0, GROK_THRESHOLD, "train"),
            "final_val": last.get("val"), "final_train": last.get("train")}


def pruning_measures(result, model) -> dict:
    """Lottery-ticket measures: the dense round's best validation accuracy (round 0) and the first step of
    the reported round at which validation reached it (None: never); the actual sparsity."""
    dense = result.rounds[0]["val"] if result.rounds else None
    last = result.rounds[-1]["round"] if result.rounds else 0
    out = {"dense_val": dense, "steps_to_dense_val": _first_step_at(result.history, last, dense)
           if dense is not None else None}
    if hasattr(model, "sparsity_report"):
        out.update(model.sparsity_report())
    return out


def graph_measures(result, model) -> dict:
    """The selected epoch's validation loss: nested CV breaks ties in validation accuracy with it."""
    return {"val_loss": result.val_loss}


def flops_measures(result, model) -> dict:
    """FLOPs of one forward pass per example, as the method counts them (``flops_per_example``)."""
    return {"flops_per_example": model.flops_per_example()} if hasattr(model, "flops_per_example") else {}


@dataclass(frozen=True)
class Track:
    name: str
    prepare_split: Callable[..., Prepared]  # (data, split, input_layout, x) -> Prepared
    objective: type
    y_pred_dims: tuple[int, ...] = (1,)  # accepted ranks of the evaluator's y_pred
    binary_labels: bool = False  # y_true must hold both 1s and 0s
    input_format: str = ""  # the evaluator's printed input contract
    y_true_dims: tuple[int, ...] = (1,)  # accepted ranks of the evaluator's y_true
    context: Callable[..., dict] = _node_context  # run facts a method's constructor may ask for (data -> dict)
    measures: Callable[..., dict] | None = None  # (FitResult, model) -> run measures beyond the metrics
    shown_measures: tuple[str, ...] = ()  # measures the leaderboard shows for this track

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

_TABLE_FORMAT = ("- y_true: torch.Tensor of the test rows' targets: class ids (num_test,) int64, real targets "
                 "(num_test,) float, or bits (num_test, k) in {0, 1}\n"
                 "- y_pred: class scores (num_test, num_classes) or ids (num_test,); real predictions (num_test,); "
                 "or bit logits (num_test, k)\n  rows in the order of the split's test rows")
for _name, _measures, _shown in (
        ("function", flops_measures, ("flops_per_example",)),
        ("algorithmic", grokking_measures, ("grok_step", "fit_step", "final_train")),
        ("sparsity", pruning_measures, ("nonzero_weights", "sparsity", "steps_to_dense_val")),
        ("tabular", None, ())):
    TRACKS[_name] = Track(_name, _prepare_table, Supervised, y_pred_dims=(1, 2), input_format=_TABLE_FORMAT,
                          y_true_dims=(1, 2), context=_table_context, measures=_measures, shown_measures=_shown)


TRACKS["graph"] = Track(
    "graph", _prepare_graph, GraphLevel, y_pred_dims=(1, 2), y_true_dims=(1, 2), context=_graph_context,
    measures=graph_measures, input_format="- y_true: torch.Tensor of the test graphs' targets: class ids (num_test,) int64, real targets "
                 "(num_test,) float, or binary labels (num_test, T) float with NaN where missing\n"
                 "- y_pred: class scores (num_test, num_classes) or ids (num_test,); real predictions (num_test,); "
                 "or logits (num_test, T)\n  rows in the order of the split's test graphs")


def get_track(name: str) -> Track:
    try:
        return TRACKS[name]
    except KeyError:
        raise KeyError(f"unknown track {name!r}; known: {', '.join(TRACKS)}") from None
