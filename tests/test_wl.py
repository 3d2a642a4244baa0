"""1-WL colour refinement, its accuracy bound, and the WL subtree kernel baseline."""

import os
import subprocess
import sys
import types

import pytest
import torch
from torch_geometric.data import Batch, Data
from torch_geometric.utils import to_undirected

from suite.datasets.graph import GraphDataset
from suite.errors import ConfigError
from suite.registry import METHODS
from suite.wl import initial_colours, refine, wl_bound_table, wl_upper_bound


def graph(edges, n, x=None):
    edge_index = to_undirected(torch.tensor(edges, dtype=torch.long).t(), num_nodes=n)
    return Data(x=torch.ones(n, 1) if x is None else x, edge_index=edge_index, num_nodes=n)


def cycle(n):
    return graph([(i, (i + 1) % n) for i in range(n)], n)


def path(n):
    return graph([(i, i + 1) for i in range(n - 1)], n)


def star(n):
    return graph([(0, i) for i in range(1, n)], n)


K33 = graph([(i, j) for i in range(3) for j in range(3, 6)], 6)
PRISM = graph([(0, 1), (1, 2), (2, 0), (3, 4), (4, 5), (5, 3), (0, 3), (1, 4), (2, 5)], 6)


def test_wl_tells_a_triangle_from_a_path():
    tri, p3 = refine([cycle(3), path(3)], 2)
    assert tri[0] == p3[0]  # same features, same size: alike before refining
    assert tri[1] != p3[1] and tri[2] != p3[2]


def test_wl_cannot_tell_two_3_regular_graphs_apart():
    # K_{3,3} (bipartite) and the prism (two triangles): non-isomorphic, both 3-regular on 6 nodes
    a, b = refine([K33, PRISM], 6)
    assert a == b
    assert wl_upper_bound([K33, PRISM], [0, 1])["groups"] == 1


def test_colours_depend_on_features():
    x = torch.tensor([[0.0, 1.0], [-0.0, 1.0], [1.0, 0.0]])
    c = initial_colours(graph([(0, 1), (1, 2)], 3, x))
    assert c[0] == c[1] != c[2]  # -0.0 equals 0.0


def test_colours_are_comparable_across_graphs_and_calls():
    alone = refine([cycle(5)], 3)[0]
    assert refine([path(4), cycle(5), star(6)], 3)[1] == alone  # other graphs in the call change nothing
    assert refine([cycle(5)], 3)[0] == alone


def test_colours_are_identical_in_another_process():
    # a duck-typed graph keeps the child's imports to torch (PyG takes seconds to import)
    make = ("types.SimpleNamespace(num_nodes=3, x=torch.tensor([[0.5], [1.0], [1.0]]), "
            "edge_index=torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]]))")
    code = (f"import types, torch; from suite.wl import refine; g = {make}; "
            "print(repr([sorted(c.items()) for c in refine([g], 2)[0]]))")
    here = repr([sorted(c.items()) for c in refine([eval(make, {"types": types, "torch": torch})], 2)[0]])
    # Python's str/bytes hash changes with PYTHONHASHSEED (random in this process); the colours must not
    env = dict(os.environ, PYTHONHASHSEED="1")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == here


def test_upper_bound_on_a_toy_dataset():
    # triangles with labels 0 and 1 share a histogram (a mixed group); the paths (both 0) and the star (1) do not
    graphs, labels = [cycle(3), cycle(3), path(3), path(3), star(4)], [0, 1, 0, 0, 1]
    bound = wl_upper_bound(graphs, labels)
    # unique: 2 paths + 1 star of 5; majority per group: 1 (triangles) + 2 + 1 of 5
    assert bound == dict(unique_share=0.6, max_accuracy=0.8, iterations=1, groups=3, mixed_groups=1)
    # before refining, triangles and paths (3 nodes each) fall into one group with labels 0, 1, 0, 0
    bound = wl_upper_bound(graphs, labels, iterations=0)
    assert bound == dict(unique_share=0.2, max_accuracy=0.8, iterations=0, groups=2, mixed_groups=1)


def test_bound_table():
    graphs = [cycle(3), cycle(3), path(3), star(4)]
    ds = GraphDataset("toy", graphs, torch.tensor([0, 1, 0, 1]), "classification", [], num_classes=2)
    table = wl_bound_table({"toy": ds})
    assert table.to_dict("records") == [{"dataset": "toy", "graphs": 4, "classes": 2, "iterations": 1,
                                         "unique_share %": 50.0, "max_accuracy %": 75.0}]


def fit_kernel(graphs, y, num_classes, **config):
    spec = METHODS.get("wl-kernel")
    model = spec.build(spec.resolve(config), 1, num_classes, target="classification")
    model.setup(Data(train_graphs=graphs, y_train=y, target="classification", num_classes=num_classes))
    assert not list(model.parameters())
    return model


@pytest.mark.parametrize("classifier", ["svm", "logistic"])
def test_kernel_fits_cycles_against_paths(classifier):
    graphs = [cycle(n) for n in range(3, 9)] + [path(n) for n in range(3, 9)]
    y = torch.tensor([0] * 6 + [1] * 6)
    model = fit_kernel(graphs, y, 2, iterations=2, C=10.0, classifier=classifier)
    out = model(Batch.from_data_list(graphs))
    assert out.shape == (12, 2) and out.dtype == torch.float32
    assert torch.equal(out.argmax(1), y)


def test_kernel_multiclass_and_unseen_classes():
    graphs = [cycle(n) for n in range(3, 7)] + [path(n) for n in range(3, 7)] + [star(n) for n in range(4, 8)]
    y = torch.tensor([0] * 4 + [2] * 4 + [3] * 4)  # class 1 never appears in training
    model = fit_kernel(graphs, y, 4, iterations=2, C=10.0)
    unseen = graph([(0, 1)], 2, torch.full((2, 1), 2.0))  # a feature value, hence colours, absent from training
    out = model(Batch.from_data_list(graphs + [unseen]))
    assert out.shape == (13, 4) and torch.isfinite(out).all()
    assert torch.equal(out[:12].argmax(1), y)
    assert (out[:, 1] < out[:, [0, 2, 3]].min(1).values).all()


def test_kernel_refuses_regression():
    spec = METHODS.get("wl-kernel")
    with pytest.raises(ConfigError, match="regression"):
        spec.build(spec.resolve({}), 1, 1, target="regression")
