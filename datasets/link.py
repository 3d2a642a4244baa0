"""Link-prediction datasets: a graph's features plus one frozen 85/5/10 edge split.

The Planetoid graphs come through :func:`~suite.datasets.planetoid.load_planetoid`
(row-normalised features); the synthetic one is a CSBM graph generated from a
seed. Node labels are dropped: link prediction never uses them.
"""

from __future__ import annotations

from suite.datasets.base import LinkDataset
from suite.datasets.csbm import make_csbm
from suite.datasets.link_split import random_link_split
from suite.datasets.planetoid import load_planetoid

SPLIT_SEED = 0


def load_planetoid_link(name: str) -> LinkDataset:
    """Cora, CiteSeer or PubMed with one frozen edge split (seed 0)."""
    g = load_planetoid(name)
    split = random_link_split(g.edge_index, g.num_nodes, seed=SPLIT_SEED)
    return LinkDataset(name=name, x=g.x, splits=[split])


def make_sbm_link(homophily: float = 0.8, **csbm) -> LinkDataset:
    """A CSBM graph (community structure plus class-dependent features) with one frozen edge split."""
    g = make_csbm(homophily, num_splits=1, **csbm)
    split = random_link_split(g.edge_index, g.num_nodes, seed=SPLIT_SEED)
    return LinkDataset(name=f"SBM(h={homophily})", x=g.x, splits=[split], notes=dict(g.notes))
