"""Heterophilous node-classification graphs with their 10 geom-gcn splits (60/20/20).

Pei et al. 2020, "Geom-GCN: Geometric Graph Convolutional Networks": WebKB
(Cornell, Texas, Wisconsin), Actor, and Wikipedia chameleon. Edges are made
undirected, as is common practice since Platonov et al. 2023.
"""

from __future__ import annotations

import numpy as np
import torch
import torch_geometric.transforms as T
from torch_geometric.datasets import Actor, WebKB, WikipediaNetwork
from torch_geometric.utils import to_undirected

from suite.datasets.base import NodeDataset, Split
from suite.datasets.mirror import cache_dir, load_pyg
from suite.errors import DatasetMissingError


def _geom_gcn_files(prefix: str, stem: str) -> list[str]:
    return [f"{prefix}/out1_graph_edges.txt", f"{prefix}/out1_node_feature_label.txt"] + [
        f"{prefix}/{stem}_split_0.6_0.2_{i}.npz" for i in range(10)
    ]


def _from_pyg(name: str, data, num_classes: int) -> NodeDataset:
    splits = [Split.from_masks(data.train_mask[:, i], data.val_mask[:, i], data.test_mask[:, i])
              for i in range(data.train_mask.size(1))]
    return NodeDataset(name=name, x=data.x.float(), y=data.y.long(), num_classes=num_classes,
                       edge_index=to_undirected(data.edge_index, num_nodes=data.num_nodes),
                       splits=splits)


def load_webkb(name: str) -> NodeDataset:
    """``name`` in {Cornell, Texas, Wisconsin}: 183/183/251 web pages, 1703 bag-of-words features, 5 classes."""
    low = name.lower()
    ds = load_pyg(name, _geom_gcn_files(f"WebKB/{low}/raw", low),
                  lambda root: WebKB(str(root / "WebKB"), name, transform=T.NormalizeFeatures()))
    return _from_pyg(name, ds[0], ds.num_classes)


def load_actor() -> NodeDataset:
    """Actor (film) co-occurrence graph: 7600 nodes, 932 features, 5 classes."""
    ds = load_pyg("Actor", _geom_gcn_files("Actor/raw", "film"),
                  lambda root: Actor(str(root / "Actor"), transform=T.NormalizeFeatures()))
    return _from_pyg("Actor", ds[0], ds.num_classes)


def load_chameleon() -> NodeDataset:
    """Wikipedia chameleon: 2277 pages, 128 features, 5 traffic classes, 10 splits.

    PyG's ``WikipediaNetwork(geom_gcn_preprocess=False)`` gives the graph and
    features; the same raw ``chameleon.npz`` also carries the 5-class ``label``
    (binned traffic, as in Geom-GCN) and 10 train/val/test masks, read here.
    """
    rel = "WikipediaNetwork/chameleon/raw/chameleon.npz"
    ds = load_pyg("chameleon", [rel], lambda root: WikipediaNetwork(
        str(root / "WikipediaNetwork"), "chameleon", geom_gcn_preprocess=False))
    raw = np.load(cache_dir() / rel)
    need = {"label", "train_mask", "val_mask", "test_mask"}
    if not need <= set(raw.files):
        raise DatasetMissingError(
            f"dataset chameleon: {cache_dir() / rel} has no {sorted(need - set(raw.files))}: this task needs "
            "the chameleon.npz that carries class labels and 10 split masks (see datasets/manifest.json for its SHA-256)"
        )
    data = ds[0]
    masks = [torch.from_numpy(raw[k]).bool() for k in ("train_mask", "val_mask", "test_mask")]
    splits = [Split.from_masks(masks[0][:, i], masks[1][:, i], masks[2][:, i]) for i in range(masks[0].size(1))]
    # The npz puts the single largest-traffic node in a 6th bin (an off-by-one of
    # the binning); Geom-GCN's chameleon has 5 classes with 480 nodes in the top one.
    y = torch.from_numpy(raw["label"]).long().clamp(max=4)
    return NodeDataset(name="chameleon", x=data.x.float(), y=y, num_classes=5,
                       edge_index=to_undirected(data.edge_index, num_nodes=data.num_nodes), splits=splits)
