"""The example-table tracks' shared machinery: view, objective, loop rounds and step budget, parameter budgets,
protocol variants, measures and curves in rows, and their leaderboard tables."""

import json

import numpy as np
import pytest
import torch

from suite.budget import count_params, size_to_budget
from suite.datasets.table import TableDataset, block_splits, random_splits
from suite.evaluator import Evaluator
from suite.leaderboard import aggregate, render_markdown
from suite.loop import fit
from suite.metrics import get_metric
from suite.objective import Supervised
from suite.registry import METHODS, TASKS
from suite.results import read_results
from suite.runner import Run, plan
from suite.task import Protocol, TaskSpec, register_task
from suite.view import table_view


def _regression(n_per_split=(60, 30, 30), splits=2, seed=0) -> TableDataset:
    rng = np.random.default_rng(seed)
    n = sum(n_per_split) * splits
    x = rng.uniform(-1, 1, (n, 2)).astype("float32")
    y = (3.0 * x[:, 0] * x[:, 1] + 10.0).astype("float32")  # offset and scale: standardisation is exercised
    return TableDataset("toy-xy", torch.from_numpy(x), torch.from_numpy(y), "regression",
                        block_splits(n_per_split, splits), standardize=True)


def _bits(k=4, n=40, seed=0) -> TableDataset:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 2, (n, k)).astype("float32")
    return TableDataset("toy-bits", torch.from_numpy(x), torch.from_numpy(x[:, ::-1].copy()), "bits",
                        random_splits(n, (0.5, 0.25), 1, seed))


TOY = register_task(TaskSpec(
    name="toy-table-xy", track="function", dataset="toy", metric="rmse", split="blocks", num_splits=2,
    split_sha256=_regression().split_hash(), loader=_regression, protocol=Protocol(seeds=1, max_epochs=30, patience=None),
    synthetic=True, extra_metrics=("mae",), variants=({"param_budget": 40}, {"param_budget": 120})))


def test_table_view_holds_no_validation_or_test_labels_and_scales_with_training_rows_only():
    ds = _regression()
    split = ds.splits[1]
    view = table_view(ds, split)
    assert not any(k in view for k in ("y", "y_val", "y_test"))
    assert view.x_val.shape == (30, 2) and view.x_test.shape == (30, 2) and view.y_train.shape == (60,)
    # Standardised with the training rows' statistics: changing test rows changes nothing else.
    ds.x[split.test] += 100.0
    again = table_view(ds, split)
    assert torch.allclose(again.x_train, view.x_train) and torch.allclose(again.x_val, view.x_val)
    assert abs(view.y_train.mean().item()) < 1e-5 and abs(view.y_train.std().item() - 1) < 1e-4
    assert view.y_mean == pytest.approx(ds.y[split.train].mean().item())


def test_regression_objective_reports_metrics_in_the_target_units():
    ds = _regression()
    view = table_view(ds, ds.splits[0])
    split = ds.splits[0]

    class Oracle(torch.nn.Module):  # predicts the standardised truth of the rows it is given
        def forward(self, x):
            raw = 3.0 * (x[:, 0] * view_sd[0] + view_mu[0]) * (x[:, 1] * view_sd[1] + view_mu[1]) + 10.0
            return ((raw - view.y_mean) / view.y_std)[:, None]

    view_mu, view_sd = ds.x[split.train].mean(0), ds.x[split.train].std(0)
    objective = Supervised(view, [get_metric("rmse")], {}, y_val=ds.y[split.val])
    ev = objective.evaluate(Oracle())
    assert ev.val_metric < 1e-4 and ev.train_metric < 1e-4
    assert Evaluator("toy-table-xy").eval({"y_true": ds.y[split.test], "y_pred": ev.test_output})["rmse"] < 1e-4
    shifted = objective.evaluate(torch.nn.Sequential(Oracle(), _Add(1.0 / view.y_std)))  # +1 target unit
    assert shifted.val_metric == pytest.approx(1.0, abs=1e-4)


class _Add(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c

    def forward(self, x):
        return x + self.c


BITS = register_task(TaskSpec(
    name="toy-table-bits", track="algorithmic", dataset="toy", metric="exact_match", split="random",
    num_splits=1, split_sha256=_bits().split_hash(), loader=_bits, protocol=Protocol(seeds=1, max_epochs=300),
    synthetic=True, extra_metrics=("bit_accuracy",)))


def test_bits_target_trains_with_bce_and_the_evaluator_scores_k_bit_outputs():
    ds = _bits()
    split = ds.splits[0]
    view = table_view(ds, split)
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 4)
    objective = Supervised(view, [get_metric("exact_match"), get_metric("bit_accuracy")], {}, y_val=ds.y[split.val])
    result = fit(model, objective, torch.optim.Adam(model.parameters(), lr=0.1), epochs=300, patience=None,
                 higher_is_better=True)
    assert result.val_metric == 1.0  # reversing bits is linear: learnt exactly
    evaluator = Evaluator("toy-table-bits")
    y_test = ds.y[split.test]
    assert evaluator.eval({"y_true": y_test, "y_pred": result.test_output}) == {"exact_match": 1.0, "bit_accuracy": 1.0}
    flipped = result.test_output.clone()
    flipped[0, 0] = -flipped[0, 0]  # one wrong bit in one row: that row stops matching exactly
    score = evaluator.eval({"y_true": y_test, "y_pred": flipped})
    assert score["exact_match"] == pytest.approx(1 - 1 / len(y_test))
    assert score["bit_accuracy"] == pytest.approx(1 - 1 / y_test.numel())
    with pytest.raises(ValueError, match="shape mismatch"):
        evaluator.eval({"y_true": y_test, "y_pred": result.test_output[:-1]})


def test_step_budget_stops_training_and_history_counts_steps():
    ds = _regression()
    view = table_view(ds, ds.splits[0])
    objective = Supervised(view, [get_metric("rmse")], {"batch_size": 16}, y_val=ds.y[ds.splits[0].val])
    model = torch.nn.Linear(2, 1)
    result = fit(model, objective, torch.optim.Adam(model.parameters()), epochs=100, patience=None,
                 higher_is_better=False, max_steps=10)
    assert result.steps == 10  # 4 batches of 16 per epoch: stops inside epoch 3
    assert [h["step"] for h in result.history] == [4, 8, 10]


class _Rounds(torch.nn.Module):
    rounds = 3

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(2, 1)
        self.calls, self.steps = [], []

    def forward(self, x):
        return self.lin(x)

    def next_round(self, r, history):
        self.calls.append((r, len(history)))

    def on_step(self, step):
        self.steps.append(step)


def test_rounds_restart_the_optimiser_and_report_the_last_round():
    ds = _regression()
    view = table_view(ds, ds.splits[0])
    objective = Supervised(view, [get_metric("rmse")], {}, y_val=ds.y[ds.splits[0].val])
    model = _Rounds()
    made = []

    def new_optimizer():
        made.append(torch.optim.Adam(model.parameters(), lr=0.01))
        return made[-1]

    result = fit(model, objective, new_optimizer(), epochs=5, patience=None, higher_is_better=False,
                 new_optimizer=new_optimizer)
    assert model.calls == [(1, 5), (2, 10)] and len(made) == 3
    assert [h["round"] for h in result.history] == [0] * 5 + [1] * 5 + [2] * 5
    assert [r["round"] for r in result.rounds] == [0, 1, 2] and model.steps == [1, 2, 3, 4, 5] * 3
    last = [h for h in result.history if h["round"] == 2]
    assert result.val_metric == min(h["val"] for h in last)


def test_budget_sizing_picks_the_widest_model_within_the_budget():
    method = METHODS.get("probe-table")
    config = method.resolve()
    for budget in (20, 57, 100, 1000):
        sized = size_to_budget(method, config, budget, 3, 2)
        width = sized["hidden"]
        assert count_params(method, sized, 3, 2) <= budget < count_params(method, {**sized, "hidden": width + 1}, 3, 2)
    with pytest.raises(Exception, match="over the parameter budget"):
        size_to_budget(method, config, 5, 3, 2)


def test_variants_plan_one_protocol_each_and_sweep_overrides_collapse_them():
    runs = plan(["toy-table-xy"], ["probe-table"], 1)
    budgets = sorted(r.protocol_dict["param_budget"] for r in runs)
    assert budgets == [40, 120] and len({r.key for r in runs}) == 2
    widths = {r.protocol_dict["param_budget"]: r.config_dict["hidden"] for r in runs}
    assert widths == {40: 9, 120: 29}  # 2h weights + h biases + h weights + 1 bias = 4h + 1 <= budget
    one = plan(["toy-table-xy"], ["probe-table"], 1, protocol={"param_budget": 40})
    assert len(one) == 1 and one[0].key == next(r.key for r in runs if r.protocol_dict["param_budget"] == 40)


def test_new_protocol_fields_leave_existing_run_keys_alone():
    proto = Run("cora", "gcn", json.dumps(METHODS.get("gcn").resolve(), sort_keys=True), 0).protocol_dict
    assert not {"max_steps", "param_budget", "sparsity"} & set(proto)


def test_rows_carry_measures_and_curves_and_budgets_get_their_own_tables(results_dir, runner_factory):
    rows = runner_factory(results_dir).run(plan(["toy-table-xy"], ["probe-table"], 1))
    assert [r["status"] for r in rows] == ["ok", "ok"], [r["error"] for r in rows]
    for row in rows:
        measures, curves = json.loads(row["measures"]), json.loads(row["curves"])
        assert measures["steps"] == 20 and measures["nonzero_params"] == row["num_params"]
        assert row["num_params"] <= json.loads(row["protocol"])["param_budget"]
        assert len(curves["val"]) == 20 and curves["step"][-1] == 20  # the method's 20 epochs, full batch
        assert all(t is not None for t in curves["train"])
    df = read_results(results_dir)
    assert df["measures"].notna().all()
    page = render_markdown(aggregate(df))
    assert "param_budget=40" in page and "param_budget=120" in page


def test_leaderboard_shows_a_tracks_measures_with_seeds_that_never_reached_them(tmp_path):
    from test_results import make_row

    from suite.results import write_part

    for s, step in enumerate([300, 500, None]):
        write_part([make_row(track="algorithmic", task="toy-grok", method="m", seed=s, num_params=10, run_key=f"k{s}",
                             measures=json.dumps({"grok_step": step, "fit_step": 100, "final_train": 1.0}))], tmp_path)
    agg = aggregate(read_results(tmp_path))
    board = next(iter(agg.boards.values()))
    page = render_markdown(agg)
    assert board.table.loc[0, "measure:grok_step"] == 400 and board.table.loc[0, "measure:grok_step:n"] == 2
    assert "400 (2/3 seeds)" in page and "grok_step" in page and "100.0" in page


def test_registered_toy_task_loads_through_the_registry():
    assert TASKS.get("toy-table-xy") is TOY and TOY.load().num_outputs == 1


def test_stop_at_ends_training_once_validation_reaches_it():
    ds = _bits()
    split = ds.splits[0]
    objective = Supervised(table_view(ds, split), [get_metric("exact_match")], {}, y_val=ds.y[split.val])
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 4)
    result = fit(model, objective, torch.optim.Adam(model.parameters(), lr=0.1), epochs=300, patience=None,
                 higher_is_better=True, stop_at=1.0)
    assert result.val_metric == 1.0 and result.epochs < 300 and result.history[-1]["val"] == 1.0
    assert all(h["val"] < 1.0 for h in result.history[:-1])


def test_quick_suite_plans_a_small_cell_of_every_track_beyond_graphs():
    from suite.cli import suite_sweeps
    from suite.registry import SUITES

    sweeps = suite_sweeps(SUITES.get("quick"), [], [], None, {})
    tracks = {TASKS.get(t).track for tasks, *_ in sweeps for t in tasks}
    assert {"node", "link", "function", "algorithmic", "sparsity", "tabular", "graph"} <= tracks
    runs = [r for tasks, methods, seeds, mo, proto in sweeps[1:] for r in plan(tasks, methods, seeds, None,
                                                                               method_overrides=mo, protocol=proto)]
    by_task = {}
    for r in runs:
        by_task.setdefault(r.task, set()).add(json.dumps(r.protocol_dict, sort_keys=True))
    # Each cell runs one protocol (one budget, one sparsity), not the task's full set of variants.
    assert all(len(p) == 1 for p in by_task.values())
    graph = [r for r in runs if TASKS.get(r.task).track == "graph"]
    assert len(runs) - len(graph) <= 60
    # The graph cell runs the quick variant of the nested CV (its selection runs: 3 methods x 2 configs x 10 folds;
    # the retrains are planned once those are recorded) and GIN vs GIN+LapPE on 2 CSL folds.
    mutag = [r for r in graph if r.task == "tu-mutag"]
    assert {r.protocol_dict.get("variant") for r in mutag} == {"quick"} and len(mutag) == 60
    assert len(graph) - len(mutag) == 4
    # --task narrows every part to the named tasks of its tracks.
    only = suite_sweeps(SUITES.get("quick"), ["tab-wine"], [], None, {})
    assert all(tasks == ["tab-wine"] for tasks, *_ in only)
    planned = [r for tasks, methods, seeds, mo, proto in only for r in plan(tasks, methods, seeds, None,
                                                                             method_overrides=mo, protocol=proto)]
    assert {r.task for r in planned} == {"tab-wine"} and len({r.method for r in planned}) == 5


def test_eval_every_validates_every_n_epochs_and_after_the_last():
    ds = _regression()
    view = table_view(ds, ds.splits[0])
    objective = Supervised(view, [get_metric("rmse")], {}, y_val=ds.y[ds.splits[0].val])
    model = torch.nn.Linear(2, 1)
    result = fit(model, objective, torch.optim.Adam(model.parameters()), epochs=25, patience=None,
                 higher_is_better=False, eval_every=10)
    assert [h["epoch"] for h in result.history] == [10, 20, 25] and result.steps == 25
    assert result.best_epoch in (10, 20, 25)
