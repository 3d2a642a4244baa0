"""The plain-PyTorch neighbour sampler and mini-batch training on it."""

import json

import pytest
import torch

from suite.datasets.csbm import make_csbm
from suite.registry import METHODS
from suite.runner import plan
from suite.sampling import NeighborLoader, NeighborSampler


@pytest.fixture(scope="module")
def graph():
    return make_csbm(0.7, num_nodes=600, avg_degree=8.0, num_splits=1, seed=3)


def test_a_sample_is_a_subgraph_with_the_declared_fan_out(graph):
    n = graph.num_nodes
    edges = set(map(tuple, graph.edge_index.t().tolist()))
    incoming = torch.bincount(graph.edge_index[1], minlength=n)
    sampler = NeighborSampler(graph.edge_index, n, [4, 3])
    seeds = torch.tensor([5, 17, 42, 99])
    batch = sampler.sample(seeds, torch.Generator().manual_seed(0))
    n_id = batch.n_id
    assert torch.equal(n_id[:4], seeds) and batch.batch_size == 4 and len(set(n_id.tolist())) == len(n_id)
    src, dst = n_id[batch.edge_index[0]], n_id[batch.edge_index[1]]
    pairs = list(zip(src.tolist(), dst.tolist()))
    assert set(pairs) <= edges and len(set(pairs)) == len(pairs)  # real edges, each sampled once
    # hop 1: each seed keeps min(in-degree, 4) distinct in-neighbours; hop 2 expands only nodes new at hop 1
    for s in seeds.tolist():
        assert sum(d == s for d in dst.tolist()) == min(int(incoming[s]), 4)
    hop1 = set(n_id[4:].tolist()) - set(seeds.tolist())
    for node in {d for d in dst.tolist()} - set(seeds.tolist()):
        assert node in hop1 and sum(d == node for d in dst.tolist()) == min(int(incoming[node]), 3)
    assert (sampler._local == -1).all()  # the scratch map is clean for the next batch


def test_sampling_is_uniform_over_a_nodes_neighbours():
    # node 0 has 20 in-neighbours; 4000 draws of 5: each should be picked ~1000 times
    ei = torch.stack([torch.arange(1, 21), torch.zeros(20, dtype=torch.long)])
    sampler = NeighborSampler(ei, 21, [5])
    gen = torch.Generator().manual_seed(0)
    counts = torch.zeros(21)
    for _ in range(4000):
        b = sampler.sample(torch.tensor([0]), gen)
        counts[b.n_id[b.edge_index[0]]] += 1
    assert counts[0] == 0 and counts.sum() == 20_000
    assert (counts[1:] - 1000).abs().max() < 120  # ~4 binomial std devs


def test_full_fan_out_reproduces_full_graph_graphsage_on_the_seeds(graph):
    torch.manual_seed(0)
    spec = METHODS.get("graphsage")
    model = spec.build(spec.resolve({"hidden": 16}), graph.x.size(1), graph.num_classes).eval()
    from torch_geometric.data import Data

    full = model(Data(x=graph.x, edge_index=graph.edge_index, num_nodes=graph.num_nodes))
    loader = NeighborLoader(Data(x=graph.x, edge_index=graph.edge_index, num_nodes=graph.num_nodes), [-1, -1],
                            input_nodes=torch.arange(0, 600, 7), batch_size=16)
    seen = 0
    for batch in loader:
        out = model(batch)[:batch.batch_size]
        torch.testing.assert_close(out, full[loader.input_nodes[batch.input_id]], atol=1e-5, rtol=1e-5)
        seen += batch.batch_size
    assert seen == len(loader.input_nodes)


def test_mini_batch_protocol_trains_sampling_methods_and_refuses_others(runner_factory, results_dir):
    protocol = {"batch_nodes": 128, "num_neighbors": [5, 5], "max_epochs": 15, "patience": 15}
    runs = plan(["csbm-h0.9"], ["gcn", "graphsage", "mlp", "sgc"], 1, protocol=protocol)
    rows = {r["method"]: r for r in runner_factory(results_dir).run(runs)}
    for m in ("gcn", "graphsage"):
        assert rows[m]["status"] == "ok", rows[m]["error"]
        assert rows[m]["test_metric"] > 0.9  # CSBM h=0.9: the graph makes this easy; chance is 0.2
        assert json.loads(rows[m]["protocol"])["batch_nodes"] == 128
    assert rows["mlp"]["status"] == "ok" and rows["mlp"]["test_metric"] < rows["gcn"]["test_metric"]
    assert rows["sgc"]["status"] == "failed" and "cannot train on neighbour-sampled mini-batches" in rows["sgc"]["error"]


def test_large_tasks_are_run_by_name_not_by_star():
    from suite.cli import _expand
    from suite.registry import SUITES, TASKS

    star = _expand(["*"], TASKS, ("node",))
    assert "csbm-h0.5" in star and not {"csbm-10k", "csbm-100k", "csbm-1m"} & set(star)
    assert _expand(["csbm-1m"], TASKS, ("node",)) == ["csbm-1m"]
    ten_k = TASKS.get("csbm-10k").load()  # the frozen split hash is checked on load
    assert ten_k.num_nodes == 10_000 and 9.5 < ten_k.edge_index.size(1) / 10_000 < 10.5
    assert TASKS.get("csbm-1m").protocol.batch_nodes == 1024 and TASKS.get("csbm-100k").protocol.batch_nodes is None
    assert set(SUITES.get("large").methods) <= {m.name for m in METHODS if m.minibatch}


def test_sparse_features_are_gathered_row_by_row(graph):
    from torch_geometric.data import Data

    from suite.sampling import neighbor_loader

    dense = Data(x=graph.x, edge_index=graph.edge_index, num_nodes=graph.num_nodes)
    sparse = Data(x=graph.x.to_sparse_csr(), edge_index=graph.edge_index, num_nodes=graph.num_nodes)
    torch.manual_seed(0)
    a = next(iter(neighbor_loader(dense, [3, 3], torch.arange(50), 16, shuffle=False)))
    torch.manual_seed(0)
    b = next(iter(neighbor_loader(sparse, [3, 3], torch.arange(50), 16, shuffle=False)))
    assert torch.equal(a.n_id, b.n_id) and b.x.is_sparse
    torch.testing.assert_close(b.x.to_dense(), a.x)
