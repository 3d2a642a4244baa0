"""The graph track's datasets: what each expressiveness probe promises, and the frozen real-data splits."""

import networkx as nx
import numpy as np
import pytest
import torch

from suite.datasets.graph_synthetic import count_substructure, make_wl_pairs
from suite.registry import TASKS
from suite.wl import refine
from tests.conftest import mirror_has


def _adj(graph: nx.Graph) -> np.ndarray:
    return nx.to_numpy_array(graph, dtype=np.int64)


@pytest.mark.parametrize("graph,expected", [
    (nx.complete_graph(4), {"triangle": 4, "4-cycle": 3, "5-path": 0}),
    (nx.cycle_graph(5), {"triangle": 0, "4-cycle": 0, "5-path": 5}),
    (nx.path_graph(5), {"triangle": 0, "4-cycle": 0, "5-path": 1}),
    (nx.cycle_graph(4), {"triangle": 0, "4-cycle": 1, "5-path": 0}),
])
def test_substructure_counts_by_hand(graph, expected):
    for target, count in expected.items():
        assert count_substructure(_adj(graph), target) == count, target


def test_counts_match_brute_force_on_random_graphs():
    rng = np.random.default_rng(0)
    for _ in range(10):
        g = nx.gnp_random_graph(int(rng.integers(6, 11)), 0.4, seed=int(rng.integers(1 << 30)))
        triangles = sum(nx.triangles(g).values()) // 3
        paths = sum(1 for a in g for b in g if a < b for p in nx.all_simple_paths(g, a, b, cutoff=4) if len(p) == 5)
        assert count_substructure(_adj(g), "triangle") == triangles
        assert count_substructure(_adj(g), "5-path") == paths


def test_wl_pairs_are_1wl_equivalent_and_differ_in_label():
    ds = make_wl_pairs(num_pairs=40)
    colours = refine(ds.graphs, 3)
    for i in range(0, ds.num_graphs, 2):
        a, b = ds.graphs[i], ds.graphs[i + 1]
        assert a.num_nodes == b.num_nodes
        assert colours[i] == colours[i + 1]  # 1-WL sees them alike, at every iteration
        assert {int(ds.y[i]), int(ds.y[i + 1])} == {0, 1}
        for g, label in ((a, ds.y[i]), (b, ds.y[i + 1])):
            nxg = nx.Graph(g.edge_index.t().tolist())
            assert set(dict(nxg.degree()).values()) == {3}
            assert nx.is_connected(nxg)
            triangles = nx.triangles(nxg).values()  # label 1: every node on a triangle; label 0: none
            assert (all(t > 0 for t in triangles) if label else not any(triangles))
    pair = torch.arange(ds.num_graphs) // 2
    for split in ds.splits:  # a pair never straddles two parts of a split
        for part in (split.train, split.val, split.test):
            assert set(pair[part].tolist()).isdisjoint(
                set(pair[torch.tensor([i for i in range(ds.num_graphs) if i not in set(part.tolist())])].tolist()))


@pytest.mark.mirror
@pytest.mark.skipif(not mirror_has("TUDataset/MUTAG/raw/MUTAG_A.txt"), reason="needs the TU mirror")
def test_tu_task_loads_with_its_frozen_errica_folds():
    spec = TASKS.get("tu-mutag")
    data = spec.load()  # checks the split hash against the committed split file
    assert data.num_graphs == 188 and data.num_classes == 2
    tests = torch.cat([s.test for s in data.splits]).sort().values
    assert torch.equal(tests, torch.arange(188))  # 10 outer folds: every graph tested once
    for s in data.splits:
        assert len(s.val) in (17, 18) and set(s.val.tolist()).isdisjoint(s.train.tolist())


@pytest.mark.mirror
@pytest.mark.skipif(not mirror_has("MoleculeNet/esol/raw/delaney-processed.csv"), reason="needs the ESOL mirror")
def test_esol_scaffold_split_keeps_scaffolds_apart():
    from rdkit.Chem.Scaffolds import MurckoScaffold

    data = TASKS.get("mol-esol").load()
    split = data.splits[0]
    scaffold = [MurckoScaffold.MurckoScaffoldSmiles(smiles=g.smiles, includeChirality=True) for g in data.graphs]
    parts = [{scaffold[i] for i in ids.tolist()} for ids in (split.train, split.val, split.test)]
    assert parts[0].isdisjoint(parts[1]) and parts[0].isdisjoint(parts[2]) and parts[1].isdisjoint(parts[2])
    assert data.graphs[0].fp.shape == (1, 2048) and data.target == "regression"
