"""Planetoid citation graphs (Cora, CiteSeer, PubMed) through PyG's ``Planetoid``.

Yang et al. 2016, "Revisiting Semi-Supervised Learning with Graph Embeddings".
Public split: 20 labelled nodes per class for training, 500 validation, 1000 test.
"""

from __future__ import annotations

import torch_geometric.transforms as T
from torch_geometric.datasets import Planetoid

from suite.datasets.base import NodeDataset, Split
from suite.datasets.mirror import load_pyg

_FILES = ("x", "tx", "allx", "y", "ty", "ally", "graph", "test.index")


def load_planetoid(name: str) -> NodeDataset:
    """Load ``name`` in {Cora, CiteSeer, PubMed} with row-normalised features (Kipf & Welling)."""
    rel = [f"Planetoid/{name}/raw/ind.{name.lower()}.{f}" for f in _FILES]
    ds = load_pyg(name, rel, lambda root: Planetoid(str(root / "Planetoid"), name, split="public",
                                                     transform=T.NormalizeFeatures()))
    data = ds[0]
    return NodeDataset(
        name=name,
        x=data.x.float(),
        edge_index=data.edge_index,
        y=data.y.long(),
        num_classes=ds.num_classes,
        splits=[Split.from_masks(data.train_mask, data.val_mask, data.test_mask)],
    )
