import pytest
import torch

from suite.baselines._layers import feature_dropout
from suite.datasets.csbm import make_csbm
from suite.registry import METHODS
from suite.view import node_view
from tests.test_registry import BASELINES


@pytest.fixture(scope="module")
def tiny():
    d = make_csbm(0.7, num_nodes=120, num_features=16, num_splits=1)
    d.x = torch.relu(d.x)  # half zeros, so sparse_csr views are exercised
    return d


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_baseline_builds_and_scores_every_node(name, tiny):
    spec = METHODS.get(name)
    config = spec.resolve({"layers": 4} if name == "gcnii" else {})
    view = node_view(tiny, tiny.splits[0], spec.input_layout)
    model = spec.build(config, view.num_features, view.num_classes)
    for mode in (True, False):
        model.train(mode)
        out = model(view)
        assert out.shape == (tiny.num_nodes, tiny.num_classes) and out.dtype == torch.float32
        assert torch.isfinite(out).all()


def test_sparse_feature_dropout_matches_dense_dropout_in_distribution():
    torch.manual_seed(0)
    x = (torch.rand(400, 300) < 0.02).float() * torch.rand(400, 300)
    out = feature_dropout(x.to_sparse_csr(), 0.5, True).to_dense()
    nz = x != 0
    assert (out[~nz] == 0).all()  # zeros stay zeros
    kept = out[nz] != 0
    assert torch.allclose(out[nz][kept], 2 * x[nz][kept])  # survivors scaled by 1/(1-p)
    assert abs(kept.float().mean().item() - 0.5) < 0.05  # about half dropped
    assert torch.equal(feature_dropout(x.to_sparse_csr(), 0.5, False).to_dense(), x)  # identity in eval


def test_gcn_decays_only_its_first_layer():
    model = METHODS.get("gcn").build(METHODS.get("gcn").defaults, 10, 3)
    groups = model.param_groups(5e-4)
    assert groups[0]["weight_decay"] == 5e-4 and groups[1]["weight_decay"] == 0.0
    assert {id(p) for p in groups[0]["params"]} == {id(p) for p in model.conv1.parameters()}


def test_label_propagation_has_no_parameters_and_depends_on_the_train_labels(tiny):
    spec = METHODS.get("label-propagation")
    view = node_view(tiny, tiny.splits[0])
    model = spec.build(spec.defaults, view.num_features, view.num_classes)
    assert spec.optimizer(model, spec.defaults) is None
    out = model(view)
    view.y_train = (view.y_train + 1) % view.num_classes  # other train labels -> other scores
    assert not torch.equal(out, model(view))


def test_graphsage_spmm_aggregation_equals_gather_scatter(tiny):
    spec = METHODS.get("graphsage")
    model = spec.build(spec.defaults, tiny.x.size(1), tiny.num_classes).eval()
    view = node_view(tiny, tiny.splits[0])
    via_spmm = model(view)
    x = torch.relu(model.conv1(view.x, view.edge_index))
    assert torch.allclose(via_spmm, model.conv2(x, view.edge_index), atol=1e-5)
