import pytest
import torch
from torch_geometric.data import Batch, Data

from suite.budget import size_to_budget, trainable_params
from suite.errors import ConfigError
from suite.baselines.gin import GIN
from suite.registry import METHODS

GRAPH_METHODS = ["gin", "gin-eps", "gin-rni", "gin-lappe", "graph-gcn", "graph-sage", "graph-gat", "gated-gcn",
                 "gps", "deepsets", "fingerprint-mlp"]


def graph(n: int, e: int, features: int = 7) -> Data:
    edges = torch.randint(0, n, (2, e)) if n > 1 else torch.empty(2, 0, dtype=torch.long)
    return Data(x=torch.randn(n, features), edge_index=torch.cat([edges, edges.flip(0)], 1),
                fp=(torch.rand(1, 2048) < 0.05).float())


@pytest.fixture(scope="module")
def batches():
    torch.manual_seed(0)
    return [Batch.from_data_list([graph(5, 6), graph(9, 12), graph(4, 3)]),
            Batch.from_data_list([graph(6, 8), graph(1, 0), graph(5, 0)])]  # a single node, a graph without edges


def build(name: str, out_channels: int = 2, **overrides):
    spec = METHODS.get(name)
    return spec.build(spec.resolve(overrides), 7, out_channels)


@pytest.mark.parametrize("name", GRAPH_METHODS)
def test_graph_method_scores_every_graph_and_trains(name, batches):
    spec = METHODS.get(name)
    assert spec.tracks == ("graph",) and spec.size_key == "hidden"
    assert {"lr", "weight_decay", "epochs", "batch_size"} <= set(spec.defaults)
    for out_channels in (2, 1):
        model = build(name, out_channels)
        for batch in batches:
            for training in (True, False):
                model.train(training)
                out = model(batch)
                assert out.shape == (3, out_channels) and torch.isfinite(out).all()
        model.train()
        model(batches[0]).sum().backward()
        assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.parameters())
    assert trainable_params(build(name, hidden=16)) > trainable_params(build(name, hidden=8))


def test_deepsets_ignores_the_edges(batches):
    model = build("deepsets").eval()
    batch = batches[0]
    rewired = batch.clone()
    rewired.edge_index = batch.edge_index[:, torch.randperm(batch.edge_index.size(1))].flip(0)[:, :5]
    assert torch.equal(model(batch), model(rewired))


def test_gin_rni_draws_new_features_every_call_and_gin_is_deterministic(batches):
    rni, gin = build("gin-rni").eval(), build("gin").eval()
    assert not torch.allclose(rni(batches[0]), rni(batches[0]))
    assert torch.equal(gin(batches[0]), gin(batches[0]))


def test_gin_rni_evaluates_the_mean_over_its_samples_of_random_features(batches):
    rni = build("gin-rni").eval()
    torch.manual_seed(3)
    averaged = rni(batches[0])
    torch.manual_seed(3)  # the same draws, one forward each, in the order the average makes them
    draws = [GIN.forward(rni, batches[0]) for _ in range(rni.samples)]
    assert rni.samples == 8 and torch.allclose(averaged, torch.stack(draws).mean(0))
    assert not torch.allclose(draws[0], draws[1])
    calls = []
    draw = rni.node_features
    rni.node_features = lambda *a: calls.append(1) or draw(*a)
    rni(batches[0])
    assert len(calls) == 8
    rni.train()(batches[0])  # one draw per training step
    assert len(calls) == 9


def test_fingerprint_mlp_asks_for_molecules():
    batch = Batch.from_data_list([Data(x=torch.randn(3, 7), edge_index=torch.empty(2, 0, dtype=torch.long))])
    with pytest.raises(ConfigError, match="Morgan fingerprint"):
        build("fingerprint-mlp")(batch)


@pytest.mark.parametrize("budget", [100_000, 500_000])
def test_gin_is_sized_to_the_parameter_budget(budget):
    spec = METHODS.get("gin")
    config = size_to_budget(spec, spec.defaults, budget, 7, 2)
    assert trainable_params(spec.build(config, 7, 2)) <= budget
    assert trainable_params(spec.build({**config, "hidden": config["hidden"] + 1}, 7, 2)) > budget


def test_laplacian_pe_holds_eigenvectors_of_each_graph(batches):
    from torch_geometric.utils import get_laplacian, to_dense_adj

    from suite.baselines._graph import graph_index, laplacian_pe

    batch = batches[1]
    pe = laplacian_pe(batch.edge_index, *graph_index(batch), dims=8, flip=False)
    for g, data in enumerate(batch.to_data_list()):
        n = data.num_nodes
        edge_index, weight = get_laplacian(data.edge_index, normalization="sym", num_nodes=n)
        lap = to_dense_adj(edge_index, edge_attr=weight, max_num_nodes=n)[0].double()
        values = torch.linalg.eigvalsh(lap)
        vectors = pe[batch.ptr[g]:batch.ptr[g + 1]].double()
        k = min(8, n - 1)  # the trivial eigenvector is skipped, missing ones are zero
        assert torch.allclose(lap @ vectors[:, :k], vectors[:, :k] * values[1:k + 1], atol=1e-5)
        assert (vectors[:, k:] == 0).all()
