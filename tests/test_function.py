"""Function-fitting track: frozen data, budgets, FLOP counts, the KAN layer, an end-to-end run, the scaling report."""

import json
import math
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import scipy.interpolate
import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils.flop_counter import FlopCounterMode

from suite.baselines.kan import KANLayer, basis_flops, bspline_basis, uniform_knots
from suite.budget import count_params, size_to_budget
from suite.datasets.functions import FUNCTIONS, data_hash, make_function
from suite.errors import SplitMismatchError
from suite.registry import METHODS, TASKS
from suite.results import read_results, write_part
from suite.runner import plan
from suite.scaling import fit_slopes, scaling_points, scaling_report
from suite.tasks.function import TASKS as FUNCTION_TASKS
from suite.tasks.function import load_checked
from tests.test_results import make_row

METHOD_NAMES = ("mlp-relu", "mlp-silu", "kan", "fan", "rff-mlp")


# ---- data ----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("task", sorted(FUNCTION_TASKS))
def test_each_task_regenerates_its_frozen_data_and_splits(task):
    spec = TASKS.get(task)
    data = spec.load()  # checks the split hash (runner) and the data hash (loader)
    fn = FUNCTIONS[FUNCTION_TASKS[task][0]]
    assert data.target == "regression" and data.standardize and data.x.shape == (7500, fn.num_inputs)
    lo, hi = (torch.tensor(b, dtype=torch.float32) for b in zip(*fn.ranges))
    assert ((data.x >= lo) & (data.x <= hi)).all()
    assert torch.allclose(data.y.double(), torch.from_numpy(fn.fn(data.x.double().numpy())), rtol=1e-6, atol=1e-7)
    for i, split in enumerate(data.splits):  # independent blocks of 1000 / 500 / 1000 rows
        assert (len(split.train), len(split.val), len(split.test)) == (1000, 500, 1000)
        assert split.train[0] == 2500 * i and split.test[-1] == 2500 * (i + 1) - 1


def test_data_is_deterministic_per_seed_and_a_changed_generator_is_refused():
    a, b, c = make_function("exp-sin", seed=0), make_function("exp-sin", seed=0), make_function("exp-sin", seed=1)
    assert data_hash(a) == data_hash(b) and data_hash(a) != data_hash(c)
    with pytest.raises(SplitMismatchError, match="data hash"):
        load_checked("exp-sin", "0" * 64)


def test_formulas_against_hand_computed_values():
    x = np.array([[0.5, -0.25, 2.0, 3.0, 1.0]])
    assert FUNCTIONS["xy"].fn(x[:, :2])[0] == pytest.approx(-0.125)
    assert FUNCTIONS["exp-sin"].fn(x[:, :2])[0] == pytest.approx(math.exp(1 + 0.0625))
    assert FUNCTIONS["I.18.4"].fn(x[:, :4])[0] == pytest.approx((0.5 * 2 - 0.25 * 3) / 0.25)
    assert FUNCTIONS["I.27.6"].fn(x[:, :3])[0] == pytest.approx(1 / (1 / 0.5 + 2.0 / -0.25))
    assert FUNCTIONS["I.12.11"].fn(x)[0] == pytest.approx(0.5 * (-0.25 + 2 * 3 * math.sin(1.0)))
    assert FUNCTIONS["exp100"].fn(np.ones((1, 100)))[0] == pytest.approx(math.e)


def test_tasks_declare_the_track_metrics_and_a_geometric_30x_budget_sweep():
    assert set(FUNCTION_TASKS) <= set(TASKS.names()) and len(FUNCTION_TASKS) == 10
    for name in FUNCTION_TASKS:
        spec = TASKS.get(name)
        assert (spec.track, spec.metric, spec.extra_metrics, spec.synthetic) == ("function", "rmse", ("mae",), True)
        assert "2404.19756" in spec.source and spec.protocol.seeds == 3
        budgets = [v["param_budget"] for v in spec.variants]
        ratios = np.array(budgets[1:]) / np.array(budgets[:-1])  # about sqrt(10) each
        assert len(budgets) == 4 and 25 <= budgets[-1] / budgets[0] <= 40 and ((ratios > 2.8) & (ratios < 3.6)).all()


# ---- budgets and FLOPs -----------------------------------------------------------------------------------------------

def _sized(method, budget, d):
    spec = METHODS.get(method)
    config = size_to_budget(spec, spec.resolve({}), budget, d, 1)
    return config, count_params(spec, config, d, 1)


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_every_method_fits_every_budget_within_15_percent(method):
    seen = set()
    for name in FUNCTION_TASKS:
        spec = TASKS.get(name)
        d = FUNCTIONS[FUNCTION_TASKS[name][0]].num_inputs
        for budget in (v["param_budget"] for v in spec.variants):
            if (d, budget) in seen:
                continue
            seen.add((d, budget))
            _, params = _sized(method, budget, d)
            assert 0.85 * budget <= params <= budget, (name, budget, params)


def _matmul_flops(model, d, batch=7):
    counter = FlopCounterMode(display=False)
    with counter:
        model(torch.randn(batch, d))
    total = counter.get_total_flops()
    assert total % batch == 0
    return total // batch


@pytest.mark.parametrize("method", ["mlp-relu", "mlp-silu"])
def test_mlp_flops_are_the_flop_counters_matmuls_plus_biases_and_activations(method):
    spec = METHODS.get(method)
    for d, hidden in ((2, 16), (100, 40)):
        model = spec.build(spec.resolve({"hidden": hidden}), d, 1)
        matmuls = _matmul_flops(model, d)
        assert matmuls == 2 * (d * hidden + hidden * hidden + hidden)
        assert model.flops_per_example() == matmuls + (2 * hidden + 1) + 2 * hidden  # biases, activations


def test_fan_rff_and_kan_flops_are_the_flop_counters_matmuls_plus_declared_extras():
    d, hidden = 3, 20
    fan = METHODS.get("fan").build(METHODS.get("fan").resolve({"hidden": hidden}), d, 1)
    dp, dpbar = hidden // 4, hidden - 2 * (hidden // 4)
    assert (fan.layer1.d_p, fan.layer1.d_pbar) == (dp, dpbar)
    extras = 2 * (2 * dp + dpbar + dpbar) + 1  # per FAN layer: cos, sin, GELU, bias; output bias
    assert fan.flops_per_example() == _matmul_flops(fan, d) + extras

    rff = METHODS.get("rff-mlp").build(METHODS.get("rff-mlp").resolve({"hidden": hidden}), d, 1)
    m = hidden // 2
    extras = 2 * m + (2 * hidden + 1) + 2 * hidden  # cos and sin; biases; ReLUs
    assert rff.flops_per_example() == _matmul_flops(rff, d) + extras

    kan = METHODS.get("kan").build(METHODS.get("kan").resolve({"hidden": hidden}), d, 1)
    extras = (d + hidden) * (basis_flops(5, 3) + 1)  # basis and SiLU per input of each layer
    assert kan.flops_per_example() == _matmul_flops(kan, d) + extras


class _PointwiseCount(TorchDispatchMode):
    """Counts output elements of pointwise arithmetic ops (the FLOPs a FLOP counter leaves out)."""

    OPS = {"sub": 1, "rsub": 1, "div": 1, "mul": 1, "add": 1, "ge": 1, "lt": 1, "bitwise_and": 1, "logical_and": 1,
           "addcmul": 2}

    def __init__(self):
        super().__init__()
        self.count = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        self.count += self.OPS.get(func.overloadpacket.__name__, 0) * out.numel()
        return out


def test_basis_flops_count_every_pointwise_op_of_the_recursion():
    x = torch.randn(13, 4)
    with _PointwiseCount() as counter:
        bspline_basis(x, 5, 3)
    assert counter.count == x.numel() * basis_flops(5, 3) == 13 * 4 * 154


def test_bspline_basis_gradient_is_the_analytic_derivative():
    x = (torch.rand(6, 3, dtype=torch.float64) * 5 - 2.5).requires_grad_()  # inside and outside the grid
    assert torch.autograd.gradcheck(lambda t: bspline_basis(t, 5, 3), (x,))
    assert torch.autograd.gradcheck(lambda t: bspline_basis(t, 4, 2, (-1.0, 1.0)), (x,))


# ---- the KAN layer ---------------------------------------------------------------------------------------------------

def test_bspline_basis_is_scipys_and_a_partition_of_unity_on_the_grid():
    x = torch.linspace(-2, 2, 401, dtype=torch.float64)
    basis = bspline_basis(x, 5, 3).T  # [401, G + k]
    reference = scipy.interpolate.BSpline.design_matrix(x.numpy(), uniform_knots(5, 3).numpy(), 3).toarray()
    assert basis.shape == (401, 8) and np.abs(basis.numpy() - reference).max() < 1e-12
    assert torch.allclose(basis.sum(-1), torch.ones(401, dtype=torch.float64))
    assert (basis >= 0).all()
    far = bspline_basis(torch.tensor([-4.5, 4.5, 10.0]), 5, 3)  # beyond the extended knots (+-4.4)
    assert (far == 0).all()


def test_a_kan_layer_fits_a_known_spline_exactly():
    torch.manual_seed(0)
    true_coef = np.random.default_rng(0).normal(size=8)
    spline = scipy.interpolate.BSpline(uniform_knots(5, 3).numpy(), true_coef, 3)
    x = torch.linspace(-1.99, 1.99, 300).unsqueeze(1)  # [300, 1]
    y = torch.from_numpy(spline(x.double().numpy()[:, 0])).float()
    layer = KANLayer(1, 1)
    basis = layer.basis(x)[:, :, 0].T  # [300, G + k]
    coef = torch.linalg.lstsq(basis.double(), y.double().unsqueeze(1)).solution[:, 0]
    assert np.abs(coef.numpy() - true_coef).max() < 1e-4  # the spline's own coefficients are recovered
    with torch.no_grad():
        layer.base_weight.zero_()
        layer.spline_scale.fill_(1.0)
        layer.coef.copy_(coef.float().view(1, 1, -1))
    assert (layer(x)[:, 0] - y).abs().max() < 1e-5


def test_kan_layer_edges_are_independent_functions_summed_per_output():
    torch.manual_seed(0)
    layer = KANLayer(3, 2)
    x = torch.rand(5, 3) * 3 - 1.5
    out = layer(x)
    edges = torch.zeros(5, 2)
    for i in range(3):  # slow reference: one edge at a time
        b = bspline_basis(x[:, i], 5, 3).T  # [5, G + k]
        for o in range(2):
            base = layer.base_weight[i, o] * torch.nn.functional.silu(x[:, i])
            edges[:, o] += base + layer.spline_scale[i, o] * b @ layer.coef[i, o]
    assert torch.allclose(out, edges, atol=1e-6)
    assert sum(p.numel() for p in layer.parameters()) == 3 * 2 * (8 + 2)


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_every_method_maps_rows_to_one_output_and_trains(method):
    torch.manual_seed(0)
    spec = METHODS.get(method)
    model = spec.build(spec.resolve({"hidden": 8}), 4, 1)
    x, y = torch.randn(32, 4), torch.randn(32)
    buffers = {k: v.clone() for k, v in model.named_buffers()}
    opt = spec.optimizer(model, spec.resolve({}))
    loss = torch.nn.functional.mse_loss(model(x).view(-1), y)
    loss.backward()
    opt.step()
    assert model(x).shape == (32, 1) and torch.isfinite(model(x)).all()
    assert all(torch.equal(v, dict(model.named_buffers())[k]) for k, v in buffers.items())  # RFF's B stays fixed
    if method == "rff-mlp":
        assert buffers["features.freq"].shape == (4, 4) and "features.freq" not in dict(model.named_parameters())


# ---- end to end ------------------------------------------------------------------------------------------------------

def test_a_tiny_sweep_gives_ok_rows_with_flops(runner_factory, results_dir):
    runs = plan(["fn-xy"], ["mlp-relu", "kan"], 1, {"epochs": 30}, protocol={"param_budget": 300})
    assert len(runs) == 2
    rows = runner_factory(results_dir).run(runs)
    for row in rows:
        assert row["status"] == "ok", row["error"]
        assert 0.85 * 300 <= row["num_params"] <= 300
        # Learnt something: well below the error of predicting the mean (the test targets' std).
        y_test = TASKS.get("fn-xy").load().y[TASKS.get("fn-xy").load().splits[0].test]
        assert 0 < row["test_metric"] < 0.5 * y_test.std().item()
        measures = row["measures"] if isinstance(row["measures"], dict) else json.loads(row["measures"])
        spec = METHODS.get(row["method"])
        model = spec.build(json.loads(row["method_config"]), 2, 1)
        assert measures["flops_per_example"] == model.flops_per_example() > 0
        assert json.loads(row["test_metrics"])["mae"] <= row["test_metric"]
    assert len(read_results(results_dir)) == 2


# ---- scaling report --------------------------------------------------------------------------------------------------

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
BUDGETS = (100, 300, 1000, 3000)


def _rows(task, method, cfg, rmse_of, val_of, budget, seeds=2, **kw):
    params = int(budget * 0.9)
    return [make_row(track="function", task=task, method=method, config_hash=cfg, seed=s,
                     method_config=json.dumps({"c": cfg}), metric_name="rmse", higher_is_better=False,
                     test_metric=rmse_of(params) * (1 + 0.01 * s), val_metric=val_of(params), num_params=params,
                     started_at=T0 + timedelta(seconds=s),
                     protocol=json.dumps({"max_epochs": 2000, "patience": 200, "param_budget": budget}), **kw)
            for s in range(seeds)]


def test_scaling_report_recovers_known_power_laws_and_selects_on_validation(tmp_path):
    results, out = tmp_path / "results", tmp_path / "out"
    for b in BUDGETS:
        # task a: m2 (N^-1) is steeper than m1 (N^-0.5); task b: the reverse
        write_part(_rows("fn-a", "m1", "good", lambda n: 3 * n ** -0.5, lambda n: 1.0, b), results)
        write_part(_rows("fn-a", "m1", "badval", lambda n: 1e-6, lambda n: 9.0, b), results)  # best test: ignored
        write_part(_rows("fn-a", "m2", "x", lambda n: 5 * n ** -1.0, lambda n: 1.0, b), results)
        write_part(_rows("fn-b", "m1", "x", lambda n: 2 * n ** -1.5, lambda n: 1.0, b), results)
        write_part(_rows("fn-b", "m2", "x", lambda n: 2 * n ** -0.2, lambda n: 1.0, b), results)
    write_part(_rows("fn-a", "m2", "x", lambda n: 1e3, lambda n: 1.0, 3000, status="failed"), results)
    write_part(_rows("fn-a", "m1", "old", lambda n: 1e3, lambda n: 0.0, 3000, task_version=0), results)
    write_part([make_row(task="cora", method="m1", seed=0)], results)  # another track: ignored

    points = scaling_points(read_results(results))
    a_m1 = points[(points["task"] == "fn-a") & (points["method"] == "m1")]
    assert list(a_m1["config_hash"]) == ["good"] * 4 and list(a_m1["budget"]) == list(BUDGETS)
    slopes = fit_slopes(points).set_index(["task", "method"])["slope"]
    # test values carry a seed-dependent factor (1, 1.01) that is the same at every budget: slopes are exact
    for key, want in {("fn-a", "m1"): -0.5, ("fn-a", "m2"): -1.0, ("fn-b", "m1"): -1.5, ("fn-b", "m2"): -0.2}.items():
        assert slopes[key] == pytest.approx(want, abs=1e-9)

    md = scaling_report(results, out)
    text = md.read_text()
    assert "On `fn-a`, `m2` scales steepest (slope -1.00)" in text
    assert "On `fn-b`, `m1` scales steepest (slope -1.50)" in text and "cora" not in text
    svg = (out / "function-scaling.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "m2 (-1.00)" in svg and "fn-b" in svg
    assert scaling_report(results, out).read_text() == text and (out / "function-scaling.svg").read_text() == svg
