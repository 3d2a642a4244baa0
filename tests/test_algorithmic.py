"""Algorithmic track: frozen generated datasets, correct labels, label-free views, the transformer and token MLP."""

import hashlib
import json

import numpy as np
import pytest
import torch

from suite.datasets.algorithmic import make_modular, make_permutation, make_sparse_parity
from suite.registry import METHODS, TASKS
from suite.runner import plan
from suite.view import table_view

TASK_NAMES = ("mod-add-97-f0.3", "mod-add-97-f0.5", "mod-mul-97-f0.3", "mod-mul-97-f0.5", "sparse-parity-30-3",
              "permutation-16")


def content_hash(data) -> str:
    """SHA-256 of the rows themselves (split hashes cover only the row ids)."""
    return hashlib.sha256(data.x.numpy().tobytes() + data.y.numpy().tobytes()).hexdigest()[:16]


@pytest.mark.parametrize("make,expect", [
    (lambda: make_modular("add"), "ec9949189fab5d86"),
    (lambda: make_modular("mul"), "549c4302ed325409"),
    (lambda: make_sparse_parity(), "f98d2a88de722847"),
    (lambda: make_permutation(), "f9f6709457f7b4b4"),
])
def test_generated_data_is_deterministic_and_frozen(make, expect):
    first, second = make(), make()
    assert content_hash(first) == content_hash(second) == expect
    assert first.split_hash() == second.split_hash()


@pytest.mark.parametrize("name", TASK_NAMES)
def test_tasks_load_with_their_recorded_split_hash(name):
    spec = TASKS.get(name)
    data = spec.load()  # raises if the splits hash differently from the spec's literal
    assert spec.track == "algorithmic" and spec.synthetic and len(data.splits) == spec.num_splits == 3
    assert spec.protocol.patience is None and spec.protocol.max_steps and spec.protocol.seeds == 3
    for s in data.splits:  # train, val, test partition the rows they cover
        parts = torch.cat([s.train, s.val, s.test])
        assert parts.unique().numel() == parts.numel()


def test_modular_tables_hold_every_pair_and_the_right_answers():
    add, mul = make_modular("add", train_frac=0.3), make_modular("mul", train_frac=0.3)
    assert add.x.shape == (97 * 97, 2) and add.num_classes == add.vocab_size == 97
    assert torch.equal(add.x, mul.x) and add.x.unique(dim=0).size(0) == 97 * 97
    rows = torch.randint(0, 97 * 97, (200,), generator=torch.Generator().manual_seed(0))
    for r in rows.tolist():
        a, b = add.x[r].tolist()
        assert add.y[r].item() == (a + b) % 97 and mul.y[r].item() == (a * b) % 97
    s = add.splits[0]
    assert s.train.numel() == round(0.3 * 97 * 97) and abs(s.val.numel() - s.test.numel()) <= 1
    assert not torch.equal(add.splits[0].train, add.splits[1].train)  # three different random splits


def test_sparse_parity_labels_are_the_parity_of_the_secret_bits():
    data = make_sparse_parity()
    secret = data.notes["secret"]
    assert len(set(secret)) == 3 and all(0 <= i < 30 for i in secret)
    assert torch.equal(data.y, data.x[:, secret].sum(1) % 2)
    # no single bit, and no pair of the secret bits, predicts the label: it takes all three
    for i in range(30):
        assert abs((data.x[:, i] == data.y).float().mean().item() - 0.5) < 0.02
    assert abs((data.x[:, secret[:2]].sum(1) % 2 == data.y).float().mean().item() - 0.5) < 0.02
    sizes = [(s.train.numel(), s.val.numel(), s.test.numel()) for s in data.splits]
    assert sizes == [(5000, 1000, 1000)] * 3


def test_permutation_trains_on_exactly_the_basis_vectors():
    data = make_permutation()
    eye = torch.eye(16, dtype=torch.long)
    for s, pi in zip(data.splits, data.notes["permutations"]):
        assert sorted(pi) == list(range(16))
        assert torch.equal(data.x[s.train], eye)  # the whole training set: e_0 .. e_15
        assert torch.equal(data.y[s.train], eye[torch.tensor(pi)].float())  # e_i -> e_pi(i)
        for i in range(16):
            assert data.y[s.train][i, pi[i]] == 1
        held = torch.cat([s.val, s.test])
        x, y = data.x[held], data.y[held]
        assert (x.sum(1) >= 2).all() and x.unique(dim=0).size(0) == held.numel()  # distinct, none a basis vector
        assert torch.equal(y[:, pi].long(), x)  # bit i lands at position pi[i]
    assert data.notes["permutations"][0] != data.notes["permutations"][1]  # each split its own permutation


@pytest.mark.parametrize("name", ["mod-add-97-f0.5", "permutation-16"])
def test_views_carry_no_validation_or_test_labels(name):
    data = TASKS.get(name).load()
    s = data.splits[1]
    view = table_view(data, s)
    assert not any(k in view.keys() for k in ("y", "y_val", "y_test"))
    assert torch.equal(view.y_train, data.y[s.train]) and torch.equal(view.x_val, data.x[s.val])
    held_out = [data.y[s.val], data.y[s.test]]
    assert not _holds_any(view, held_out)  # no tensor on the view holds the held-out labels
    leaky = view.clone()
    leaky.answers = data.y[s.test].float()  # positive control: the check catches labels under any name or dtype
    assert _holds_any(leaky, held_out)


def _holds_any(view, labels: list) -> bool:
    """Whether some tensor on ``view`` equals one of ``labels`` (flattened, after a dtype cast)."""
    return any(torch.is_tensor(v) and v.numel() == y.numel() and torch.equal(v.reshape(-1).to(y.dtype), y.reshape(-1))
               for v in (view[k] for k in view.keys()) for y in labels)


@pytest.mark.parametrize("name,L,out", [("transformer-1l", 2, 97), ("transformer-2l-nowd", 30, 2),
                                        ("transformer-1l", 16, 16), ("token-mlp", 30, 2), ("token-mlp-nowd", 16, 16)])
def test_methods_read_tokens_of_any_length(name, L, out):
    spec = METHODS.get(name)
    model = spec.build(spec.resolve(), L, out, vocab_size=97 if L == 2 else 2)
    x = torch.randint(0, 97 if L == 2 else 2, (5, L))
    assert model(x).shape == (5, out)


def test_transformer_reads_a_op_b_equals_as_power_et_al():
    spec = METHODS.get("transformer-1l")
    model = spec.build(spec.resolve(), 2, 97, vocab_size=97)
    assert model.sequence(torch.tensor([[3, 5]])).tolist() == [[3, 97, 5, 98]]
    bits = spec.build(spec.resolve(), 4, 4, vocab_size=2)
    assert bits.sequence(torch.tensor([[1, 0, 1, 1]])).tolist() == [[1, 0, 1, 1, 3]]


def test_variants_differ_only_in_depth_and_weight_decay():
    d = {n: METHODS.get(n).defaults for n in ("transformer-1l", "transformer-2l", "transformer-1l-nowd",
                                              "transformer-2l-nowd", "token-mlp", "token-mlp-nowd")}
    assert d["transformer-1l"]["weight_decay"] == 1.0 and d["transformer-1l-nowd"]["weight_decay"] == 0.0
    assert (d["transformer-1l"]["layers"], d["transformer-2l"]["layers"]) == (1, 2)
    assert {**d["transformer-2l-nowd"], "weight_decay": 1.0} == d["transformer-2l"]
    assert {**d["token-mlp-nowd"], "weight_decay": 1.0} == d["token-mlp"]
    for cfg in d.values():
        assert cfg["optimizer"] == "adamw" and cfg["betas"] == [0.9, 0.98] and cfg["batch_size"] == 512
    model = METHODS.get("transformer-2l").build(d["transformer-2l"], 2, 97, vocab_size=97)
    assert len(model.blocks.layers) == 2


def test_transformer_fits_a_tiny_training_set():
    torch.manual_seed(0)
    data = make_modular("add", p=11)
    rows = torch.randperm(121)[:40]
    x, y = data.x[rows], data.y[rows]
    spec = METHODS.get("transformer-1l")
    config = spec.resolve()
    model = spec.build(config, 2, 11, vocab_size=11)
    opt = spec.optimizer(model, config)
    for _ in range(60):  # reaches 100% at ~30 steps
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    with torch.no_grad():
        acc = (model(x).argmax(1) == y).float().mean().item()
    assert acc == 1.0  # memorised, weight decay 1 notwithstanding


@pytest.mark.parametrize("task,methods", [("mod-add-97-f0.5", ["transformer-1l", "token-mlp-nowd"]),
                                          ("permutation-16", ["token-mlp"])])
def test_tiny_runs_through_the_runner_record_grokking_measures(runner_factory, results_dir, task, methods):
    runs = plan([task], methods, 1, protocol={"max_steps": 20})
    rows = runner_factory(results_dir).run(runs)
    assert [r["status"] for r in rows] == ["ok"] * len(methods), [r["error"] for r in rows]
    spec = TASKS.get(task)
    for row in rows:
        m = json.loads(row["measures"])
        assert m["steps"] == 20 and {"grok_step", "fit_step", "final_val", "final_train"} <= set(m)
        assert 0 <= m["final_val"] <= 1 and 0 <= m["final_train"] <= 1
        curves = json.loads(row["curves"])
        assert curves["step"][-1] == 20 and curves["epoch"][-1] == row["epochs"] >= 1  # the last epoch validates
        assert np.all(np.diff(curves["step"]) > 0)
        if spec.extra_metrics:
            assert set(json.loads(row["test_metrics"])) == {"exact_match", "bit_accuracy"}
