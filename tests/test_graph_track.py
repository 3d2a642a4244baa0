"""The graph-level track's machinery: the label-free view, the objective, and nested cross-validation
(selection per fold on the holdout, the winner retrained, mean over folds) from planning to the leaderboard."""

import json

import numpy as np
import pandas as pd
import pytest
import torch

from suite.cli import main
from suite.evaluator import Evaluator
from suite.leaderboard import aggregate
from suite.metrics import get_metric
from suite.nested import fold_winners
from suite.registry import TASKS
from suite.results import read_results
from suite.runner import plan
from suite.task import Protocol, TaskSpec, register_task
from suite.testing import toy_graphs
from suite.tracks import get_track

TOY = "toy-cycles"
if TOY not in TASKS.names():
    register_task(TaskSpec(
        name=TOY, track="graph", dataset="toy", metric="accuracy", split="3 stratified folds, 25% holdout",
        num_splits=3, split_sha256=toy_graphs().split_hash(), loader=toy_graphs, synthetic=True,
        protocol=Protocol(seeds=3, max_epochs=5, patience=5, trials=2, retrain=2),
    ))


def test_view_holds_no_validation_or_test_labels():
    data = TASKS.get(TOY).load()
    prepared = get_track("graph").prepare(data, 0, "dense", None)
    view = prepared.view
    assert not hasattr(view, "y") or view.get("y") is None
    for graphs in (view.train_graphs, view.val_graphs, view.test_graphs):
        for g in graphs:
            assert set(g.keys()) <= {"x", "edge_index", "edge_attr", "fp", "num_nodes"}
    assert torch.equal(view.y_train, data.y[data.splits[0].train])
    assert len(view.val_graphs) == data.splits[0].val.numel() and torch.equal(prepared.held["y_val"],
                                                                             data.y[data.splits[0].val])
    assert torch.equal(prepared.y_true, data.y[data.splits[0].test])


def test_stratified_folds_partition_every_graph_once():
    data = toy_graphs()
    tests = torch.cat([s.test for s in data.splits]).sort().values
    assert torch.equal(tests, torch.arange(data.num_graphs))  # each graph tested in exactly one fold
    for s in data.splits:
        assert not set(s.train.tolist()) & set(s.val.tolist()) and not set(s.val.tolist()) & set(s.test.tolist())
        assert len(s.train) + len(s.val) + len(s.test) == data.num_graphs
        ratio = data.y[s.test].float().mean().item()
        assert 0.4 <= ratio <= 0.6  # stratified: classes are balanced 50/50 overall


def test_multilabel_roc_auc_ignores_missing_labels():
    nan = float("nan")
    y_true = torch.tensor([[1.0, nan], [0.0, 1.0], [1.0, 0.0], [0.0, nan]])
    y_pred = torch.tensor([[2.0, 9.0], [-1.0, 1.0], [1.0, -1.0], [3.0, -9.0]])
    # task 0: positives 2.0, 1.0 vs negatives -1.0, 3.0 -> 2 of 4 pairs; task 1: 1.0 > -1.0 -> 1.0
    assert get_metric("roc_auc")(y_pred, y_true) == pytest.approx((0.5 + 1.0) / 2)


def test_fold_winner_is_chosen_on_validation_never_test():
    rows = pd.DataFrame([
        # config a: better test, worse validation; b wins fold 0 on validation
        {"method": "m", "split_id": 0, "config_hash": "a", "val_metric": 0.6, "test_metric": 0.99,
         "measures": json.dumps({"val_loss": 0.1})},
        {"method": "m", "split_id": 0, "config_hash": "b", "val_metric": 0.8, "test_metric": 0.10,
         "measures": json.dumps({"val_loss": 0.9})},
        # fold 1: equal validation accuracy, the lower validation loss wins
        {"method": "m", "split_id": 1, "config_hash": "a", "val_metric": 0.7, "test_metric": 0.5,
         "measures": json.dumps({"val_loss": 0.3})},
        {"method": "m", "split_id": 1, "config_hash": "b", "val_metric": 0.7, "test_metric": 0.9,
         "measures": json.dumps({"val_loss": 0.4})},
    ])
    win = fold_winners(rows, higher_is_better=True).set_index("split_id")["config_hash"].to_dict()
    assert win == {0: "b", 1: "a"}


def test_plan_has_selection_runs_only_until_a_fold_is_recorded(tmp_path):
    runs = plan([TOY], ["probe-graph"], None, results_dir=tmp_path)
    assert sorted({r.seed for r in runs}) == [0, 1, 2]  # the 3 outer folds
    assert len({r.config for r in runs}) == 2  # the tuning budget: trials=2 of the declared grid


def test_nested_cv_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("NETARENA_NUM_THREADS", "1")
    results = tmp_path / "results"
    assert main(["run", "--task", TOY, "--method", "probe-graph", "--results", str(results), "--no-progress"]) == 0
    df = read_results(results)
    assert (df["status"] == "ok").all()
    selection, assessment = df[df["seed"] < 3], df[df["seed"] >= 3]
    assert len(selection) == 2 * 3  # 2 configurations x 3 folds
    assert len(assessment) == 3 * 2  # the winner of each of 3 folds, retrained 2 times
    assert (assessment["split_id"] == assessment["seed"] % 3).all()
    winners = fold_winners(selection, True).set_index("split_id")["config_hash"]
    for fold, rows in assessment.groupby("split_id"):
        assert set(rows["config_hash"]) == {winners[fold]}  # only the fold's winner is retrained
    # The board: mean over folds of each fold's retrain mean; 'seeds' counts folds.
    board = next(iter(aggregate(df).boards.values()))
    expect = assessment.groupby("split_id")["test_metric"].mean()
    row = board.table.iloc[0]
    assert row["seeds"] == 3 and row["test_mean"] == pytest.approx(expect.mean())
    assert row["test_std"] == pytest.approx(np.std(expect.to_numpy(), ddof=1))
    assert "nested CV" in board.protocol
    # Rerunning plans nothing new: selection and assessment resume from their run keys.
    before = len(list(results.rglob("*.parquet")))
    assert main(["run", "--task", TOY, "--method", "probe-graph", "--results", str(results), "--no-progress"]) == 0
    assert len(list(results.rglob("*.parquet"))) == before


def test_graph_evaluator_contract():
    ev = Evaluator(TOY)
    assert "test graphs" in ev.expected_input_format
    with pytest.raises(ValueError, match="shape mismatch"):
        ev.eval({"y_true": torch.zeros(4, dtype=torch.long), "y_pred": torch.zeros(3, 2)})
    assert ev.eval({"y_true": torch.tensor([0, 1]), "y_pred": torch.tensor([[1.0, 0.0], [0.0, 1.0]])}) == \
        {"accuracy": 1.0}


def test_param_budget_sizes_graph_methods_and_the_leaderboard_filters_by_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NETARENA_NUM_THREADS", "1")
    results = tmp_path / "results"
    assert main(["run", "--task", TOY, "--method", "probe-graph", "--results", str(results), "--no-progress",
                 "--param-budget", "60", "--seeds", "1"]) == 0
    df = read_results(results)
    assert (df["status"] == "ok").all() and (df["num_params"] <= 60).all()
    # the largest width within 60: 2*1*h + h (node layer) + 2*h + 2 (output) = 5h + 2 <= 60 -> h = 11
    assert {json.loads(c)["hidden"] for c in df["method_config"]} == {11}
    capsys.readouterr()
    assert main(["leaderboard", "--results", str(results), "--param-budget", "60"]) == 0
    assert "param_budget=60" in capsys.readouterr().out
    assert main(["leaderboard", "--results", str(results), "--param-budget", "100000"]) == 2  # no such rows
