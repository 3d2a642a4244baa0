"""Link-prediction track: metrics, frozen splits, no edge leakage, heuristics, baselines end to end."""

import itertools
import json

import pytest
import torch
from suite.baselines._link import Adjacency
from suite.baselines.node2vec import random_walks
from suite.datasets.link_split import random_link_split, undirected_pairs

from suite.evaluator import Evaluator
from suite.loop import fit
from suite.metrics import get_metric
from suite.objective import LinkPrediction
from suite.registry import METHODS, TASKS
from suite.results import read_results
from suite.runner import plan
from suite.tracks import TRACKS
from tests.conftest import needs_mirror

TASK = "link-sbm"  # synthetic: needs no mirror
LINK_METRICS = ["hits@20", "hits@50", "hits@100", "mrr", "roc_auc"]


def keys(edge_index: torch.Tensor, n: int) -> set[int]:
    """Undirected edge keys min * n + max."""
    u, v = edge_index.min(0).values, edge_index.max(0).values
    return set((u * n + v).tolist())


# --- metrics -----------------------------------------------------------------------------------------------

def brute_force(scores, labels, k):
    pos = [s for s, y in zip(scores, labels) if y == 1]
    neg = [s for s, y in zip(scores, labels) if y == 0]
    kth = sorted(neg, reverse=True)[k - 1] if len(neg) >= k else None
    hits = 1.0 if kth is None else sum(p > kth for p in pos) / len(pos)
    ranks = [1 + sum(n > p for n in neg) + 0.5 * sum(n == p for n in neg) for p in pos]
    auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
    return hits, sum(1 / r for r in ranks) / len(ranks), auc


@pytest.mark.parametrize("seed", range(5))
def test_link_metrics_equal_a_brute_force_count_with_ties(seed):
    g = torch.Generator().manual_seed(seed)
    labels = (torch.rand(300, generator=g) < 0.4).long()
    scores = torch.randint(0, 12, (300,), generator=g).float()  # many ties, as heuristics give
    hits, mrr, auc = brute_force(scores.tolist(), labels.tolist(), 20)
    assert get_metric("hits@20")(scores, labels) == pytest.approx(hits)
    assert get_metric("mrr")(scores, labels) == pytest.approx(mrr)
    assert get_metric("roc_auc")(scores, labels) == pytest.approx(auc)


def test_link_metrics_on_hand_made_cases():
    labels = torch.tensor([1, 1, 0, 0, 0])
    perfect = torch.tensor([5.0, 4.0, 3.0, 2.0, 1.0])
    assert get_metric("roc_auc")(perfect, labels) == 1.0 and get_metric("mrr")(perfect, labels) == 1.0
    assert get_metric("roc_auc")(-perfect, labels) == 0.0
    assert get_metric("roc_auc")(torch.zeros(5), labels) == 0.5
    # hits@K with fewer than K negatives counts every positive as a hit (OGB's convention)
    assert get_metric("hits@20")(-perfect, labels) == 1.0


def test_the_link_evaluator_states_and_enforces_its_contract():
    ev = Evaluator(TASK)
    assert "num_test_pairs" in ev.expected_input_format and "'roc_auc': float" in ev.expected_output_format
    y = torch.tensor([1, 0, 1, 0])
    assert set(ev.eval({"y_true": y, "y_pred": torch.rand(4)})) == set(LINK_METRICS)
    with pytest.raises(ValueError, match="shape mismatch"):
        ev.eval({"y_true": y, "y_pred": torch.rand(4, 2)})
    with pytest.raises(ValueError, match="both positives"):
        ev.eval({"y_true": torch.ones(4, dtype=torch.long), "y_pred": torch.rand(4)})


# --- splits ------------------------------------------------------------------------------------------------

def test_the_edge_split_is_85_5_10_disjoint_with_fixed_true_negatives():
    g = torch.Generator().manual_seed(0)
    n = 300
    ei = torch.randint(n, (2, 3000), generator=g)
    ei = torch.cat([ei, ei.flip(0)], 1)
    a, b = random_link_split(ei, n, seed=0), random_link_split(ei, n, seed=0)
    for part in ("train_pos", "val_pairs", "val_label", "test_pairs", "test_label"):
        assert torch.equal(getattr(a, part), getattr(b, part)), part  # a pure function of graph and seed
    all_pos = keys(torch.from_numpy(undirected_pairs(ei, n)), n)
    train = keys(a.train_pos, n)
    val_pos, test_pos = keys(a.val_pairs[:, a.val_label == 1], n), keys(a.test_pairs[:, a.test_label == 1], n)
    val_neg, test_neg = keys(a.val_pairs[:, a.val_label == 0], n), keys(a.test_pairs[:, a.test_label == 0], n)
    assert train | val_pos | test_pos == all_pos and not (train & val_pos or train & test_pos or val_pos & test_pos)
    assert len(val_pos) == int(0.05 * len(all_pos)) and len(test_pos) == int(0.10 * len(all_pos))
    assert len(val_neg) == len(val_pos) and len(test_neg) == len(test_pos) and not val_neg & test_neg
    assert not (val_neg | test_neg) & all_pos  # negatives are true non-edges
    assert (a.train_pos[0] < a.train_pos[1]).all() and (a.test_pairs[0] != a.test_pairs[1]).all()
    # Shuffled: the labels do not sit in blocks by position.
    assert 0 < a.test_label[: len(test_pos)].float().mean() < 1


def test_link_tasks_load_with_their_frozen_hash():
    data = TASKS.get(TASK).load()  # verifies the split's SHA-256 against the spec
    assert data.splits[0].train_pos.size(1) > 1000


@needs_mirror
def test_planetoid_link_tasks_match_their_frozen_hash():
    for name in ("link-cora", "link-citeseer"):
        assert TASKS.get(name).load().splits[0].test_pairs.size(1) > 900


# --- leakage -----------------------------------------------------------------------------------------------

def leaked(seen, split, n) -> list[str]:
    """Every way a held-out edge reached message passing in the recorded calls, or a training batch's own
    targets stayed in the graph it propagated over."""
    held = keys(split.held_out_edges(), n)
    problems = []
    for call, (edge_index, pairs, training) in enumerate(seen):
        graph = keys(edge_index, n)
        if graph & held:
            problems.append(f"call {call}: {len(graph & held)} held-out edges in the graph")
        if training:
            targets = keys(pairs[:, : pairs.size(1) // 2], n)  # positives come first in a training batch
            if graph & targets:
                problems.append(f"call {call}: {len(graph & targets)} target edges in their own graph")
    return problems


def spy_through_the_objective(data, split_id=0, epochs=2):
    seen = []

    class Spy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.ones(1))

        def forward(self, d, pairs):
            seen.append((d.edge_index.clone(), pairs.clone(), self.training))
            return self.w * (d.x[pairs[0]] * d.x[pairs[1]]).sum(-1)

    p = TRACKS["link"].prepare(data, split_id, "dense", data.x)
    model = Spy()
    objective = LinkPrediction(p.view, [get_metric("hits@100")], {"batch_size": 500}, **p.held)
    fit(model, objective, torch.optim.Adam(model.parameters()), epochs=epochs, patience=None, higher_is_better=True)
    objective.inference(model.eval())
    return seen, p


def test_no_validation_or_test_edge_reaches_message_passing():
    data = TASKS.get(TASK).load()
    split = data.splits[0]
    seen, p = spy_through_the_objective(data)
    assert sum(t for *_, t in seen) >= 2 * (split.train_pos.size(1) // 500) and any(not t for *_, t in seen)
    assert leaked(seen, split, data.num_nodes) == []
    assert set(p.view.keys()) == {"x", "edge_index", "num_nodes", "train_pos"}
    assert not keys(p.view.edge_index, data.num_nodes) & keys(split.held_out_edges(), data.num_nodes)


def test_the_leakage_check_catches_a_leaking_view(monkeypatch):
    # Positive control: the same check must fail when the view propagates over held-out edges.
    import suite.tracks
    from suite.view import link_view

    data = TASKS.get(TASK).load()
    split = data.splits[0]

    def leaky_view(ds, sp, x=None):
        view = link_view(ds, sp, x)
        test_pos = sp.test_pairs[:, sp.test_label == 1]
        view.edge_index = torch.cat([view.edge_index, test_pos, test_pos.flip(0)], 1)
        return view

    monkeypatch.setattr(suite.tracks, "link_view", leaky_view)
    seen, _ = spy_through_the_objective(data, epochs=1)
    assert any("held-out edges in the graph" in p for p in leaked(seen, split, data.num_nodes))


def test_the_leakage_check_catches_targets_left_in_their_own_graph(monkeypatch):
    # Positive control for target link removal: without it, the check must fire.
    import suite.objective

    monkeypatch.setattr(suite.objective, "without_edges", lambda edge_index, pairs, n: edge_index)
    data = TASKS.get(TASK).load()
    seen, _ = spy_through_the_objective(data, epochs=1)
    assert any("target edges in their own graph" in p for p in leaked(seen, data.splits[0], data.num_nodes))


def test_the_worker_process_never_sees_a_held_out_edge(runner_factory, results_dir, tmp_path):
    report = tmp_path / "spy.pt"
    row = runner_factory(results_dir).run(plan([TASK], ["probe-link-spy"], 1, {"report": str(report)}))[0]
    assert row["status"] == "ok", row["error"]
    data = TASKS.get(TASK).load()
    seen = torch.load(report)
    assert len(seen) > 4 and leaked(seen, data.splits[0], data.num_nodes) == []


# --- graph helpers -----------------------------------------------------------------------------------------

def random_graph(n=60, m=300, seed=0):
    g = torch.Generator().manual_seed(seed)
    ei = torch.randint(n, (2, m), generator=g)
    ei = ei[:, ei[0] != ei[1]]
    return torch.cat([ei, ei.flip(0)], 1), n


def test_common_neighbors_equal_set_intersection():
    ei, n = random_graph()
    adj = Adjacency(ei, n)
    nbrs = {u: set(ei[1, ei[0] == u].tolist()) for u in range(n)}
    pairs = torch.tensor(list(itertools.combinations(range(0, n, 3), 2))).t()
    k, w = adj.common_neighbors(pairs)
    got = {(int(a), int(b)) for a, b in zip(k, w)}
    want = {(i, x) for i, (u, v) in enumerate(pairs.t().tolist()) for x in nbrs[u] & nbrs[v]}
    assert got == want and len(want) > 50


def test_graph_helpers_handle_a_graph_without_edges():
    adj = Adjacency(torch.empty(2, 0, dtype=torch.long), 5)
    nodes = torch.arange(5)
    assert torch.equal(adj.random_neighbor(nodes), nodes)
    assert (random_walks(adj, nodes, 4, p=0.5, q=2.0) == nodes[:, None]).all()
    k, w = adj.common_neighbors(torch.tensor([[0, 1], [2, 3]]))
    assert k.numel() == w.numel() == 0 and not adj.has_edge(nodes, nodes).any()


def test_random_walks_follow_edges_and_p_q_bias_returns():
    ei, n = random_graph()
    adj = Adjacency(ei, n)
    torch.manual_seed(0)
    start = torch.arange(n).repeat(20)
    walks = random_walks(adj, start, 12)
    steps = torch.stack([walks[:, :-1].reshape(-1), walks[:, 1:].reshape(-1)])
    moved = steps[0] != steps[1]
    assert adj.has_edge(steps[0, moved], steps[1, moved]).all()
    assert (adj.deg[steps[0, ~moved]] == 0).all()  # only isolated nodes stay put

    def return_rate(p, q):
        w = random_walks(adj, start, 12, p=p, q=q)
        return (w[:, 2:] == w[:, :-2]).float().mean().item()

    assert return_rate(0.1, 1.0) > 2 * return_rate(10.0, 1.0)


# --- baselines and runner -----------------------------------------------------------------------------------

@needs_mirror
def test_heuristics_are_deterministic_and_beat_chance_on_cora(runner_factory, results_dir):
    methods = ["common-neighbors", "adamic-adar", "resource-allocation", "preferential-attachment",
               "random-scores"]
    rows = runner_factory(results_dir).run(plan(["link-cora"], methods, [0, 1]))
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows]
    by = {(r["method"], r["seed"]): json.loads(r["test_metrics"]) for r in rows}
    for m in methods[:4]:
        assert by[m, 0] == by[m, 1], m  # no parameters, no randomness
    chance = by["random-scores", 0]
    for m in methods[:3]:  # the common-neighbour family; preferential attachment is weak on citation graphs
        assert by[m, 0]["roc_auc"] > chance["roc_auc"] + 0.15, m
        assert by[m, 0]["hits@50"] > chance["hits@50"] + 0.25, m


@pytest.mark.parametrize("method", ["gae-gcn", "gae-sage", "link-mlp", "node2vec", "ncn"])
def test_every_trained_link_baseline_runs_and_reports_every_metric(runner_factory, results_dir, method):
    rows = runner_factory(results_dir).run(plan([TASK], [method], 1, {"epochs": 3}))
    row = rows[0]
    assert row["status"] == "ok", row["error"]
    assert row["metric_name"] == "roc_auc" and row["num_params"] > 0 and row["epochs"] == 3
    test, val = json.loads(row["test_metrics"]), json.loads(row["val_metrics"])
    assert set(test) == set(val) == set(LINK_METRICS) and test["roc_auc"] == row["test_metric"]
    assert val["roc_auc"] == row["val_metric"]
    assert read_results(results_dir).loc[0, "track"] == "link"


@pytest.mark.parametrize("method,config", [("gae-gcn", {"epochs": 30}), ("node2vec", {"epochs": 40})])
def test_trained_link_baselines_learn_something(runner_factory, results_dir, method, config):
    rows = runner_factory(results_dir).run(plan([TASK], [method, "random-scores"], 1, None,
                                                method_overrides={method: config}))
    assert all(r["status"] == "ok" for r in rows), [r["error"] for r in rows]
    trained, chance = rows
    assert trained["test_metric"] > chance["test_metric"] + 0.08, (trained["test_metric"], chance["test_metric"])


def test_one_batch_of_every_training_edge_trains_over_a_graph_without_edges(runner_factory, results_dir):
    # Target link removal then leaves no edge to propagate over; the run must still complete and score.
    row = runner_factory(results_dir).run(plan([TASK], ["gae-gcn"], 1, {"epochs": 5, "batch_size": 100000}))[0]
    assert row["status"] == "ok", row["error"]
    assert 0.0 <= row["test_metric"] <= 1.0 and row["epochs"] == 5


def test_link_methods_are_kept_off_node_tasks_and_back():
    runs = plan(["csbm-h0.5", TASK], ["gcn", "gae-gcn"], 1)
    assert {(r.task, r.method) for r in runs} == {("csbm-h0.5", "gcn"), (TASK, "gae-gcn")}
    assert METHODS.get("ncn").supports("link") and not METHODS.get("ncn").supports("node")
