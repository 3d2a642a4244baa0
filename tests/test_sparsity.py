"""Sparsity track: its datasets, the LeNet-300-100 pruning baselines (masks, IMP's schedule, rewinding) and
the measures its runner rows carry."""

import json
import math

import numpy as np
import pytest
import torch

from suite.baselines.pruning import IMPRewind, LeNet300100, MagnitudeOneShot, RandomPruning, imp_schedule
from suite.datasets.sparsity import make_teacher
from suite.loop import fit
from suite.metrics import get_metric
from suite.objective import Supervised
from suite.registry import METHODS, TASKS
from suite.runner import plan
from suite.view import table_view

IN, OUT = 8, 3
PRUNABLE = IN * 300 + 300 * 100 + 100 * OUT


def tiny_objective(n=240, config=None):
    data = make_teacher(num_examples=n, num_features=IN, hidden=16, num_classes=OUT, num_splits=1)
    split = data.splits[0]
    view = table_view(data, split)
    return Supervised(view, [get_metric("accuracy")], config or {"batch_size": 30}, y_val=data.y[split.val])


def train(model, objective, epochs=2):
    new = lambda: torch.optim.Adam(model.parameters(), lr=1.2e-3)  # noqa: E731
    return fit(model, objective, new(), epochs=epochs, patience=None, higher_is_better=True, new_optimizer=new)


def kept(model):
    return int(sum(m.sum().item() for m in model.masks))


# --- datasets and tasks ------------------------------------------------------------------------------------------

def test_digits_splits_are_stratified_disjoint_and_frozen():
    data = TASKS.get("sparsity-digits").load()
    assert data.x.shape == (1797, 64) and data.num_classes == 10 and data.standardize
    for split in data.splits:
        parts = [set(split.train.tolist()), set(split.val.tolist()), set(split.test.tolist())]
        assert not (parts[0] & parts[1]) and not (parts[0] & parts[2]) and not (parts[1] & parts[2])
        assert sum(map(len, parts)) == 1797
        share = np.bincount(data.y[split.train].numpy(), minlength=10) / np.bincount(data.y.numpy(), minlength=10)
        assert np.abs(share - 0.6).max() < 0.02  # each class split 60/20/20
    assert TASKS.get("sparsity-digits").load().split_hash() == TASKS.get("sparsity-digits").split_sha256


def test_teacher_labels_are_the_teachers_argmax_and_every_class_is_used():
    data = make_teacher()
    assert data.x.shape == (6000, 64) and data.y.shape == (6000,)
    counts = np.bincount(data.y.numpy(), minlength=10)
    assert counts.min() > 0.05 * 6000 and counts.max() < 0.15 * 6000
    # the generator's recipe, redone here: same seed, same draws
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((64, 128)) / 8, rng.standard_normal((128, 10)) / math.sqrt(128)
    b1 = rng.standard_normal(128)
    x = rng.standard_normal((6000, 64))
    z = np.maximum(x @ w1 + b1, 0) @ w2
    assert np.array_equal(((z - z.mean(0)) / z.std(0)).argmax(1), data.y.numpy())
    assert torch.equal(make_teacher(seed=1).x, make_teacher(seed=1).x) and not torch.equal(make_teacher(seed=1).x,
                                                                                             data.x)
    assert TASKS.get("sparsity-teacher").load().split_hash() == TASKS.get("sparsity-teacher").split_sha256


def test_every_method_runs_at_every_sparsity_in_its_own_protocol():
    runs = plan(["sparsity-digits"], ["dense", "imp-rewind"], 1)
    protocols = {json.loads(r.protocol).get("sparsity") for r in runs}
    assert protocols == {0.5, 0.8, 0.9, 0.95} and len(runs) == 8


# --- masks ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [MagnitudeOneShot, RandomPruning, IMPRewind])
@pytest.mark.parametrize("sparsity", [0.5, 0.9, 0.95])
def test_masks_hit_the_target_sparsity_within_one_weight(cls, sparsity):
    torch.manual_seed(0)
    model = cls(IN, OUT, sparsity=sparsity, rewind_step=0)
    assert model.prunable_weights == PRUNABLE
    for r in range(1, model.rounds):
        model.next_round(r, [])
    assert abs(kept(model) - (1 - sparsity) * PRUNABLE) <= 1
    report = model.sparsity_report()
    assert abs(report["sparsity"] - sparsity) <= 1 / PRUNABLE and report["prunable_weights"] == PRUNABLE
    assert report["nonzero_weights"] == kept(model) and report["rounds"] == model.rounds


def test_magnitude_pruning_keeps_the_largest_weights_globally_and_random_pruning_their_layer_counts():
    torch.manual_seed(0)
    mag, rnd = MagnitudeOneShot(IN, OUT, sparsity=0.9), RandomPruning(IN, OUT, sparsity=0.9)
    rnd.load_state_dict(mag.state_dict())
    masks = mag.magnitude_masks(mag.target_kept)
    weights = torch.cat([layer.weight.abs().flatten() for layer in mag.layers])
    flat = torch.cat([m.flatten() for m in masks]).bool()
    assert weights[flat].min() >= weights[~flat].max()  # every survivor outweighs every pruned weight
    rand = rnd.new_masks(1)
    assert [int(m.sum()) for m in rand] == [int(m.sum()) for m in masks]  # same layer-wise rates
    assert not all(torch.equal(a, b) for a, b in zip(rand, masks))  # but other weights


def test_dense_ignores_sparsity_and_pruning_methods_need_it():
    dense = LeNet300100(IN, OUT, sparsity=0.9)
    assert dense.rounds == 1 and dense.sparsity_report()["sparsity"] == 0.0
    assert dense.nonzero_weights() == PRUNABLE  # biases start at zero
    spec = METHODS.get("imp-rewind")
    with pytest.raises(Exception, match="sparsity"):
        spec.build(spec.resolve(), IN, OUT, sparsity=None)


def test_pruned_weights_are_zero_in_the_forward_pass_and_after_training():
    torch.manual_seed(0)
    objective = tiny_objective()
    model = MagnitudeOneShot(IN, OUT, sparsity=0.8, rewind_step=2)
    train(model, objective, epochs=3)
    assert abs(kept(model) - 0.2 * PRUNABLE) <= 1
    for layer in model.layers:
        assert (layer.weight[layer.mask == 0] == 0).all()  # stored zero after retraining
        assert (layer.weight[layer.mask == 1] != 0).float().mean() > 0.99  # survivors trained
    x = torch.randn(5, IN)
    before = model(x)
    with torch.no_grad():
        for layer in model.layers:
            layer.weight.add_((1 - layer.mask) * 5.0)  # junk in pruned places must not reach the output
    assert torch.equal(model(x), before)
    assert model.nonzero_weights() <= kept(model) + sum(layer.bias.numel() for layer in model.layers)


# --- IMP --------------------------------------------------------------------------------------------------------------

def test_imp_prunes_twenty_percent_of_the_survivors_each_round_down_to_the_target():
    schedule = imp_schedule(50_200, 5_020)
    assert len(schedule) == math.ceil(math.log(0.1) / math.log(0.8)) == 11 and schedule[-1] == 5_020
    for before, after in zip([50_200] + schedule[:-2], schedule[:-1]):
        assert after == round(0.8 * before)
    assert schedule[-2] * 0.8 < 5_020 < schedule[-2]  # the last round only clamps onto the target
    assert imp_schedule(100, 64) == [80, 64] and imp_schedule(10, 10) == [] and imp_schedule(3, 1) == [2, 1]

    torch.manual_seed(0)
    model = IMPRewind(IN, OUT, sparsity=0.8, rewind_step=0)
    assert model.rounds == 1 + len(imp_schedule(PRUNABLE, round(0.2 * PRUNABLE)))
    previous = [m.clone() for m in model.masks]
    for r in range(1, model.rounds):
        with torch.no_grad():
            for layer in model.layers:  # as if trained: new magnitudes each round
                layer.weight.normal_()
        model.next_round(r, [])
        assert kept(model) == model.schedule[r - 1]
        assert all((m <= p).all() for m, p in zip(model.masks, previous))  # pruned weights never come back
        previous = [m.clone() for m in model.masks]


def test_imp_trains_every_round_through_the_loop():
    torch.manual_seed(0)
    model = IMPRewind(IN, OUT, sparsity=0.5, rewind_step=1)
    result = train(model, tiny_objective(), epochs=2)
    assert [r["round"] for r in result.rounds] == list(range(model.rounds)) == list(range(5))
    assert abs(model.sparsity_report()["sparsity"] - 0.5) <= 1 / PRUNABLE


# --- rewinding --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [0, 3])
def test_rewinding_restores_the_step_k_values_of_surviving_weights(k):
    torch.manual_seed(0)
    objective = tiny_objective()
    model = IMPRewind(IN, OUT, sparsity=0.5, rewind_step=k)
    opt = torch.optim.Adam(model.parameters(), lr=1e-2)
    at_k = {n: p.detach().clone() for n, p in model.named_parameters()}  # step 0: the initialisation
    for step in range(1, 8):  # what train_epoch does, by hand
        opt.zero_grad()
        objective.loss(model, next(iter(objective.train_batches()))).backward()
        opt.step()
        model.on_step(step)
        if step == k:
            at_k = {n: p.detach().clone() for n, p in model.named_parameters()}
    trained = {n: p.detach().clone() for n, p in model.named_parameters()}
    model.next_round(1, [])
    for layer, name in zip(model.layers, ("layers.0", "layers.1", "layers.2")):
        alive = layer.mask.bool()
        assert torch.equal(layer.weight[alive], at_k[f"{name}.weight"][alive])
        assert not torch.equal(layer.weight[alive], trained[f"{name}.weight"][alive])
        assert (layer.weight[~alive] == 0).all()
        assert torch.equal(layer.bias, at_k[f"{name}.bias"])
    assert model.sparsity_report()["rewind_step"] == k


def test_a_round_shorter_than_k_rewinds_to_its_last_step():
    model = IMPRewind(IN, OUT, sparsity=0.5, rewind_step=100)
    objective = tiny_objective(config={"batch_size": None})  # one step per epoch
    train(model, objective, epochs=2)
    assert model.sparsity_report()["rewind_step"] == 2


# --- the runner -------------------------------------------------------------------------------------------------------

def test_runner_rows_carry_the_pruning_measures(runner_factory, results_dir):
    runs = plan(["sparsity-digits"], ["imp-rewind", "random-pruning", "dense"], 1, overrides={"epochs": 2},
                protocol={"sparsity": 0.8})
    rows = {r["method"]: r for r in runner_factory(results_dir).run(runs)}
    prunable = 64 * 300 + 300 * 100 + 100 * 10
    for name, row in rows.items():
        assert row["status"] == "ok", row["error"]
        m = json.loads(row["measures"])
        assert {"nonzero_weights", "sparsity", "steps_to_dense_val", "dense_val", "prunable_weights"} <= set(m)
        assert 0 < m["dense_val"] <= 1 and m["prunable_weights"] == prunable
        curves = json.loads(row["curves"])
        if name == "dense":
            assert m["sparsity"] == 0 and m["nonzero_weights"] == prunable and m["rounds"] == 1
            assert m["steps_to_dense_val"] is not None  # the dense round reaches its own best
            continue
        assert abs(m["sparsity"] - 0.8) <= 1 / prunable and abs(m["nonzero_weights"] - 0.2 * prunable) <= 1
        assert m["nonzero_params"] <= m["nonzero_weights"] + 300 + 100 + 10
        assert max(curves["round"]) == m["rounds"] - 1 == (8 if name == "imp-rewind" else 1)
        assert m["steps_to_dense_val"] is None or 0 < m["steps_to_dense_val"] <= 2 * 18
