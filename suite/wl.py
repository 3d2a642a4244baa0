"""1-WL colour refinement (Weisfeiler & Leman 1968) and the accuracy bound it puts on graph classifiers.

Colour refinement gives each node a colour from its features, then, once per
iteration, a new colour from its old one and the multiset of its neighbours'
colours. Two graphs whose colour histograms agree at every iteration are
1-WL-equivalent, and no message-passing network (Xu et al. 2019, ICLR,
https://arxiv.org/abs/1810.00826; Morris et al. 2019, AAAI,
https://arxiv.org/abs/1810.02244) nor WL kernel can tell them apart.

Colours are 64-bit content hashes, not ids handed out in order of appearance:
a colour means the same rooted subtree in every graph, every call, process and
machine, so a vocabulary built on training graphs applies to test graphs.
All graphs are refined together as one disjoint union, with NumPy on the
edge lists, so one iteration costs a few vectorised passes over all edges.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import TYPE_CHECKING, NamedTuple, Sequence

import numpy as np

from suite.errors import ConfigError

if TYPE_CHECKING:
    import pandas
    from torch_geometric.data import Data

# splitmix64's constants (Steele, Lea & Flood 2014): a bijective 64-bit mixer with good avalanche.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_SELF = np.uint64(0xD6E8FEB86659FD93)  # odd: multiplying by it is a bijection, and keeps self and neighbours apart


class Histogram(NamedTuple):
    """Sparse colour counts of a list of graphs at one iteration, rows sorted by (graph, colour).

    ``graph`` [R] int64 graph index, ``colour`` [R] uint64, ``count`` [R] int64:
    graph ``graph[r]`` has ``count[r]`` nodes of colour ``colour[r]``.
    """

    graph: np.ndarray
    colour: np.ndarray
    count: np.ndarray


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 of each entry of a uint64 array (wraps modulo 2**64 by design)."""
    with np.errstate(over="ignore"):
        z = z + _GOLDEN
        z = (z ^ (z >> _S30)) * _M1
        z = (z ^ (z >> _S27)) * _M2
        return z ^ (z >> _S31)


def _distinct(a: np.ndarray) -> int:
    """Number of distinct values (sorting: NumPy's hash-based ``unique`` is several times slower on uint64)."""
    a = np.sort(a)
    return int(a.size and 1 + np.count_nonzero(a[1:] != a[:-1]))


def _row_colour(row: bytes) -> int:
    return int.from_bytes(hashlib.blake2b(row, digest_size=8).digest(), "little")


class _Union:
    """The disjoint union of ``graphs``: node -> graph index, and edges grouped by target node."""

    def __init__(self, graphs: Sequence[Data], skip_columns: int = 0):
        sizes = np.array([g.num_nodes for g in graphs], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.num_graphs, self.num_nodes = len(graphs), int(offsets[-1])
        self.graph = np.repeat(np.arange(len(graphs), dtype=np.int64), sizes)  # nodes are grouped by graph
        self.has_nodes, self.first_node = sizes > 0, offsets[:-1][sizes > 0]
        self.max_nodes = int(sizes.max(initial=0))
        edges = [g.edge_index.cpu().numpy() + off for g, off in zip(graphs, offsets[:-1]) if g.edge_index.numel()]
        src, dst = np.concatenate(edges, axis=1) if edges else np.zeros((2, 0), dtype=np.int64)
        order = np.argsort(dst, kind="stable")
        self.src = src[order]
        deg = np.bincount(dst, minlength=self.num_nodes)
        starts = np.concatenate([[0], np.cumsum(deg)[:-1]])
        self.has_nbrs = deg > 0
        self.starts = starts[self.has_nbrs]  # reduceat segments, one per node with neighbours
        # Continuous attributes (the first ``skip_columns``) would make nearly every node its own colour.
        self.x = [None if getattr(g, "x", None) is None else g.x[:, skip_columns:] for g in graphs]

    def initial(self) -> np.ndarray:
        """[N] uint64: each node's colour, a blake2b hash of its feature row's float32 little-endian bytes."""
        if not self.num_nodes:
            return np.zeros(0, dtype=np.uint64)
        width = {0 if x is None else x.size(1) for x in self.x}
        if len(width) > 1:
            raise ConfigError(f"1-WL: graphs have node features of different widths {sorted(width)}; "
                              "give every graph the same feature columns")
        if width == {0}:  # no features: every node starts alike
            return np.full(self.num_nodes, _row_colour(b""), dtype=np.uint64)
        x = np.concatenate([x.detach().cpu().numpy().astype("<f4") for x in self.x])
        x = x + np.float32(0.0)  # -0.0 -> 0.0: equal values must have equal bytes
        rows = np.ascontiguousarray(x).view(np.dtype((np.void, x.dtype.itemsize * x.shape[1])))
        uniq, inverse = np.unique(rows.ravel(), return_inverse=True)
        table = np.array([_row_colour(r.tobytes()) for r in uniq], dtype=np.uint64)
        return table[inverse.ravel()]

    def step(self, colour: np.ndarray) -> np.ndarray:
        """One refinement: [N] uint64 colours -> new colours, a hash of (own colour, neighbour multiset).

        The multiset is hashed as the sum modulo 2**64 of a mixing of each
        neighbour's colour: a hash of the sorted multiset without sorting.
        """
        nbrs = np.zeros(self.num_nodes, dtype=np.uint64)
        if self.src.size:
            nbrs[self.has_nbrs] = np.add.reduceat(_mix(colour[self.src]), self.starts)
        with np.errstate(over="ignore"):
            return _mix(colour * _SELF + nbrs)

    def histogram(self, colour: np.ndarray) -> Histogram:
        order = np.lexsort((colour, self.graph))
        g, c = self.graph[order], colour[order]
        new = np.ones(g.size, dtype=bool)
        new[1:] = (g[1:] != g[:-1]) | (c[1:] != c[:-1])
        first = np.flatnonzero(new)
        return Histogram(g[first], c[first], np.diff(np.append(first, g.size)))

    def graph_classes(self, colour: np.ndarray) -> np.ndarray:
        """[G] int64: equal ids for graphs with equal colour histograms (a multiset hash per graph, as in step)."""
        key = np.zeros(self.num_graphs, dtype=np.uint64)
        if self.num_nodes:
            key[self.has_nodes] = np.add.reduceat(_mix(colour), self.first_node)
        return np.unique(key, return_inverse=True)[1].ravel()


def initial_colours(graph: Data) -> list[int]:
    """The iteration-0 colour of each node of ``graph``: a stable hash of its feature row ``x[i]``."""
    return _Union([graph]).initial().tolist()


def wl_histograms(graphs: Sequence[Data], iterations: int, skip_columns: int = 0) -> list[Histogram]:
    """Colour counts of ``graphs`` after each of iterations 0..``iterations`` of 1-WL (length iterations + 1).

    Initial colours come from ``x[:, skip_columns:]``: the discrete node labels, not a dataset's leading
    continuous attributes (:attr:`GraphDataset.attribute_columns`)."""
    union = _Union(graphs, skip_columns)
    colour = union.initial()
    out = [union.histogram(colour)]
    for _ in range(iterations):
        colour = union.step(colour)
        out.append(union.histogram(colour))
    return out


def refine(graphs: Sequence[Data], iterations: int) -> list[list[Counter]]:
    """Per graph, its colour histogram (colour -> node count) after each iteration 0..``iterations``.

    Colours are ints in [0, 2**64) that mean the same in every graph and call.
    """
    out = [[] for _ in graphs]
    for hist in wl_histograms(graphs, iterations):
        bounds = np.searchsorted(hist.graph, np.arange(len(graphs) + 1))
        colours, counts = hist.colour.tolist(), hist.count.tolist()
        for i in range(len(graphs)):
            out[i].append(Counter(dict(zip(colours[bounds[i]:bounds[i + 1]], counts[bounds[i]:bounds[i + 1]]))))
    return out


def wl_upper_bound(graphs: Sequence[Data], labels, iterations: int | None = None, skip_columns: int = 0) -> dict:
    """How well any 1-WL-bounded graph classifier can do on ``graphs`` with class ``labels`` [G].

    Graphs are grouped by their 1-WL colour histogram after ``iterations``
    iterations (None: the stable colouring, refining the union of all graphs
    until no colour class splits; every 1-WL-distinguishable pair is then
    apart). A message-passing network or WL kernel gives all graphs of a group
    the same output (Xu et al. 2019; Morris et al. 2019), so:

    * ``unique_share``: the share of graphs whose histogram no graph of
      another label shares, i.e. graphs 1-WL separates from every graph of
      another class (Zopf 2022, "1-WL Expressiveness Is (Almost) All You
      Need", IJCNN, https://arxiv.org/abs/2202.10156);
    * ``max_accuracy``: the accuracy of predicting each group's majority
      label, the best any 1-WL-bounded classifier can reach on the whole
      dataset (fitted to it, i.e. a bound on training accuracy);
    * ``iterations``: the iterations used; with None, the fewest after which
      the grouping is already the stable one;
    * ``groups``: the number of distinct histograms; ``mixed_groups``: of
      those, how many hold graphs of more than one label.
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.shape[0] != len(graphs):
        raise ConfigError(f"wl_upper_bound needs one class label per graph, got labels of shape {labels.shape} "
                          f"for {len(graphs)} graphs; pass a classification dataset's y")
    union = _Union(graphs, skip_columns)
    colour = union.initial()
    group = union.graph_classes(colour)
    if iterations is None:
        # The graph partition only ever refines, so its size says when it changed; the node partition
        # (over all graphs) is stable once an iteration splits no colour class, at most 2 * n_max - 1 steps.
        used, num_colours = 0, _distinct(colour)
        for t in range(1, 2 * union.max_nodes + 1):
            colour = union.step(colour)
            now = union.graph_classes(colour)
            if now.max(initial=-1) > group.max(initial=-1):
                group, used = now, t
            before, num_colours = num_colours, _distinct(colour)
            if num_colours == before:
                break
    else:
        for _ in range(iterations):
            colour = union.step(colour)
        group, used = union.graph_classes(colour), iterations
    _, label_id = np.unique(labels, return_inverse=True)
    pair_count = np.zeros((group.max(initial=-1) + 1, label_id.max(initial=-1) + 1), dtype=np.int64)
    np.add.at(pair_count, (group, label_id), 1)
    mixed = (pair_count > 0).sum(1) > 1
    n = max(len(graphs), 1)
    return dict(unique_share=float(pair_count[~mixed].sum() / n), max_accuracy=float(pair_count.max(1).sum() / n),
                iterations=used, groups=int(pair_count.shape[0]), mixed_groups=int(mixed.sum()))


def wl_bound_table(datasets: dict) -> pandas.DataFrame:
    """One row per ``GraphDataset`` (classification) with its stable-colouring 1-WL bound, in percent.

    Columns: dataset, graphs, classes, iterations, unique_share %, max_accuracy %;
    ``DataFrame.to_markdown()`` gives the Markdown table.
    """
    import pandas as pd

    rows = []
    for name, ds in datasets.items():
        if ds.target != "classification":
            raise ConfigError(f"wl_bound_table: {name} is a {ds.target} dataset; the bound needs class labels, "
                              "so leave it out")
        bound = wl_upper_bound(ds.graphs, ds.y.numpy(), skip_columns=ds.attribute_columns)
        rows.append({"dataset": name, "graphs": ds.num_graphs, "classes": ds.num_classes,
                     "iterations": bound["iterations"], "unique_share %": round(100 * bound["unique_share"], 2),
                     "max_accuracy %": round(100 * bound["max_accuracy"], 2)})
    return pd.DataFrame(rows, columns=["dataset", "graphs", "classes", "iterations", "unique_share %",
                                       "max_accuracy %"])
