"""Tabular track: scikit-learn's bundled tables, their frozen splits and scaling, and the five baselines."""

import json

import numpy as np
import pytest
import torch

import suite.datasets.tabular as tabular
from suite.errors import SplitMismatchError
from suite.registry import METHODS, TASKS
from suite.runner import plan
from suite.view import table_view

TASKS_ = {"tab-breast-cancer": (569, 30, 2), "tab-wine": (178, 13, 3), "tab-digits": (1797, 64, 10),
          "tab-diabetes": (442, 10, 0)}
METHODS_ = ("linear", "knn", "hist-gbdt", "tab-mlp", "hopfield")
TINY = {"hist-gbdt": {"max_iter": 10}, "tab-mlp": {"hidden": 16, "epochs": 20, "lr": 0.01},
        "hopfield": {"hidden": 16, "epochs": 20, "lr": 0.01}}


@pytest.fixture(autouse=True)
def _one_thread():
    # The scikit-learn adapters hold OpenMP/BLAS to torch's thread count; one thread keeps this file on one core.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("name", sorted(TASKS_))
def test_tables_load_with_their_frozen_splits_and_content_hash(name):
    task = TASKS.get(name)
    data = task.load()  # checks the split hash against the spec
    n, d, classes = TASKS_[name]
    assert task.track == "tabular" and not task.synthetic and data.standardize
    assert data.x.shape == (n, d) and data.x.dtype == torch.float32 and data.num_classes == classes
    assert data.y.dtype == (torch.int64 if classes else torch.float32)
    assert task.metric == ("accuracy" if classes else "rmse") and len(data.splits) == task.num_splits == 5
    assert data.notes["content_sha256"] == tabular.content_hash(data.x, data.y)
    for s in data.splits:  # a partition of the rows, about 60/20/20
        rows = torch.cat([s.train, s.val, s.test])
        assert torch.equal(rows.sort().values, torch.arange(n))
        assert abs(len(s.train) / n - 0.6) < 0.02 and abs(len(s.val) / n - 0.2) < 0.02
        if classes:  # stratified: each class's share of the training rows is within one row of its share overall
            share = torch.bincount(data.y, minlength=classes) * len(s.train) / n
            assert (torch.bincount(data.y[s.train], minlength=classes) - share).abs().max() <= 1.5
    assert not torch.equal(data.splits[0].test, data.splits[1].test)


def test_a_changed_bundled_table_is_refused(monkeypatch):
    x, y = tabular._raw("wine")
    x = x.copy()
    x[0, 0] += 1.0
    monkeypatch.setattr(tabular, "_raw", lambda name: (x, y))
    with pytest.raises(SplitMismatchError, match="wine table hashes"):
        tabular.load_sklearn_table("wine")


@pytest.mark.parametrize("name", ["tab-wine", "tab-diabetes"])
def test_standardisation_uses_the_training_rows_only(name):
    data = TASKS.get(name).load()
    split = data.splits[0]
    view = table_view(data, split)
    spread = data.x[split.train].std(0) > 0
    assert view.x_train.mean(0).abs().max() < 1e-4
    assert (view.x_train.std(0)[spread] - 1).abs().max() < 1e-4
    # Rewrite every validation and test row (features and targets): the training scaling must not move.
    held_out = torch.cat([split.val, split.test])
    other = TASKS.get(name).loader()
    other.x[held_out] = other.x[held_out] * 100 + 7
    other.y[held_out] = other.y[held_out] * 3 if other.target == "regression" else 0
    changed = table_view(other, split)
    assert torch.equal(changed.x_train, view.x_train) and torch.equal(changed.y_train, view.y_train)
    assert (changed.y_mean, changed.y_std) == (view.y_mean, view.y_std)
    assert not torch.allclose(changed.x_val, view.x_val)
    if data.target == "regression":  # targets standardised by the training rows too
        assert abs(view.y_train.mean().item()) < 1e-4 and abs(view.y_train.std().item() - 1) < 1e-4
        assert view.y_mean == pytest.approx(data.y[split.train].mean().item(), rel=1e-5)


@pytest.mark.parametrize("name", sorted(TASKS_))
def test_the_view_holds_no_validation_or_test_labels(name):
    data = TASKS.get(name).load()
    split = data.splits[2]
    view = table_view(data, split)
    assert {"y", "y_val", "y_test"}.isdisjoint(view.keys())
    assert view.y_train.size(0) == len(split.train) and view.x_test.size(0) == len(split.test)
    # The only tensors with a row per validation or test example are their features.
    held_out = {k for k in view.keys() if isinstance(view[k], torch.Tensor) and view[k].dim()
                and view[k].size(0) in (len(split.val), len(split.test))}
    assert held_out == {"x_val", "x_test"}


@pytest.mark.parametrize("method", METHODS_)
@pytest.mark.parametrize("name", ["tab-wine", "tab-diabetes"])
def test_every_method_gives_one_output_row_per_input_row(method, name):
    data = TASKS.get(name).load()
    view = table_view(data, data.splits[0])
    spec = METHODS.get(method)
    model = spec.build(spec.resolve(TINY.get(method, {})), view.x_train.size(1), view.num_outputs,
                       target=data.target)
    if hasattr(model, "setup"):
        model.setup(view)
    for mode in (True, False):
        model.train(mode)
        out = model(view.x_val)
        assert out.shape == (len(data.splits[0].val), view.num_outputs) and out.dtype == torch.float32
        assert torch.isfinite(out).all()
    if data.target == "classification" and method != "tab-mlp":  # log-probabilities: rows sum to 1
        assert torch.allclose(out.exp().sum(1), torch.ones(out.size(0)), atol=1e-4)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert (trainable > 0) == (method in ("tab-mlp", "hopfield"))


def test_hist_gbdt_draws_its_random_state_from_the_seeded_numpy_generator():
    data = TASKS.get("tab-wine").load()
    view = table_view(data, data.splits[0])
    spec = METHODS.get("hist-gbdt")
    states = []
    for seed in (3, 3, 4):
        np.random.seed(seed)
        model = spec.build(spec.resolve({"max_iter": 5}), 13, 3, target="classification")
        model.setup(view)
        states.append(model.estimator.random_state)
    assert states[0] == states[1] != states[2]


def _hopfield(view, dropout=0.0):
    spec = METHODS.get("hopfield")
    torch.manual_seed(0)
    return spec.build(spec.resolve({"hidden": 8, "dropout": dropout}), view.x_train.size(1), view.num_outputs,
                      target="classification")


def test_hopfield_cannot_retrieve_a_training_rows_own_label_while_training():
    data = TASKS.get("tab-wine").load()
    view = table_view(data, data.splits[0])
    flipped = view.clone()
    flipped.y_train = view.y_train.clone()
    flipped.y_train[0] = (view.y_train[0] + 1) % 3  # only row 0's label differs
    model = _hopfield(view)
    outs = {}
    for mode in (True, False):
        model.train(mode)
        for key, v in (("same", view), ("flipped", flipped)):
            model.setup(v)
            outs[mode, key] = model(view.x_train)
    # Training mode: row 0's prediction does not depend on its own label; other rows do see it.
    assert torch.equal(outs[True, "same"][0], outs[True, "flipped"][0])
    assert not torch.allclose(outs[True, "same"][1:], outs[True, "flipped"][1:])
    # Evaluation mode (the whole training set is the memory): row 0 retrieves its own label too.
    assert not torch.allclose(outs[False, "same"][0], outs[False, "flipped"][0])


def test_hopfield_masks_exact_duplicates_of_the_query_and_nothing_else():
    data = TASKS.get("tab-wine").load()
    view = table_view(data, data.splits[0])
    model = _hopfield(view)
    model.setup(view)
    x = view.x_train[[4, 9]].clone()
    mask = model.self_match(x)
    assert mask.shape == (2, view.x_train.size(0)) and mask.sum().item() == 2 and mask[0, 4] and mask[1, 9]
    x[0, 0] += 1e-6  # a near neighbour is not the row itself
    assert model.self_match(x)[0].sum().item() == 0


def test_five_methods_run_end_to_end_on_wine(runner_factory, results_dir):
    runs = plan(["tab-wine"], list(METHODS_), 1, method_overrides=TINY)
    rows = runner_factory(results_dir).run(runs)
    assert [r["status"] for r in rows] == ["ok"] * 5, [r["error"] for r in rows]
    by = {r["method"]: r for r in rows}
    for name in ("linear", "knn", "hist-gbdt"):  # fitted once, evaluated once
        assert by[name]["epochs"] == 0 and by[name]["num_params"] == 0 and by[name]["test_metric"] > 0.8
    for name in ("tab-mlp", "hopfield"):
        assert 1 <= by[name]["best_epoch"] <= by[name]["epochs"] <= 20 and by[name]["num_params"] > 0
        assert by[name]["test_metric"] > 0.8
    assert json.loads(by["hist-gbdt"]["method_config"])["max_iter"] == 10


def test_regression_is_scored_in_the_targets_units(runner_factory, results_dir):
    row = runner_factory(results_dir).run(plan(["tab-diabetes"], ["linear"], 1))[0]
    assert row["status"] == "ok", row["error"]
    metrics = row["test_metrics"] if isinstance(row["test_metrics"], dict) else json.loads(row["test_metrics"])
    # the target spans 25..346 with std ~77: a ridge fit is off by tens of units, not by fractions of a std
    assert 40 < row["test_metric"] < 70 and 30 < metrics["mae"] < row["test_metric"]
