"""Link heuristics: common neighbours, Adamic-Adar, resource allocation, preferential attachment; chance level.

Liben-Nowell & Kleinberg 2007, "The link-prediction problem for social
networks"; resource allocation: Zhou, Lu & Zhang 2009. No parameters: the
loop evaluates them once, over the training graph only.
"""

import torch

from suite.baselines._link import Adjacency
from suite.method import register_method

PAPER = "Liben-Nowell & Kleinberg 2007 (JASIST), https://doi.org/10.1002/asi.20591"


class _Heuristic(torch.nn.Module):
    """Scores pairs [2, P] -> [P] from the structure of ``data.edge_index`` alone."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()

    def forward(self, data, pairs: torch.Tensor) -> torch.Tensor:
        adj = Adjacency(data.edge_index, data.num_nodes)
        return self.score(adj, pairs)  # float64: float32 would tie distinct Adamic-Adar sums

    def score(self, adj: Adjacency, pairs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError


def _sum_over_common_neighbors(adj: Adjacency, pairs: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    k, w = adj.common_neighbors(pairs)
    return torch.zeros(pairs.size(1), dtype=torch.float64, device=pairs.device).index_add_(0, k, weight[w])


@register_method("common-neighbors", kind="heuristic", paper=PAPER, defaults={}, tracks=("link",))
class CommonNeighbors(_Heuristic):
    """|N(u) ∩ N(v)|."""

    def score(self, adj, pairs):
        return _sum_over_common_neighbors(adj, pairs, torch.ones(adj.num_nodes, dtype=torch.float64))


@register_method("adamic-adar", kind="heuristic", paper="Adamic & Adar 2003 (Social Networks), "
                 "https://doi.org/10.1016/S0378-8733(03)00009-1", defaults={}, tracks=("link",))
class AdamicAdar(_Heuristic):
    """Sum over common neighbours w of 1 / log deg(w)."""

    def score(self, adj, pairs):
        deg = adj.deg.double()
        # A common neighbour has degree >= 2; the clamp only guards nodes that are nobody's.
        return _sum_over_common_neighbors(adj, pairs, 1.0 / torch.log(deg.clamp(min=2)))


@register_method("resource-allocation", kind="heuristic", paper="Zhou, Lu & Zhang 2009 (EPJ B), "
                 "https://arxiv.org/abs/0901.0553", defaults={}, tracks=("link",))
class ResourceAllocation(_Heuristic):
    """Sum over common neighbours w of 1 / deg(w)."""

    def score(self, adj, pairs):
        return _sum_over_common_neighbors(adj, pairs, 1.0 / adj.deg.double().clamp(min=1))


@register_method("preferential-attachment", kind="heuristic", paper=PAPER, defaults={}, tracks=("link",))
class PreferentialAttachment(_Heuristic):
    """deg(u) * deg(v), on a log scale (same ranking, bounded logits)."""

    def score(self, adj, pairs):
        return torch.log1p(adj.deg[pairs[0]].double() * adj.deg[pairs[1]].double())


@register_method("random-scores", kind="reference", paper="chance level: i.i.d. uniform scores",
                 defaults={}, tracks=("link",))
class RandomScores(_Heuristic):
    """Uniform random score per pair, from the run's seed: the floor every method must clear."""

    def score(self, adj, pairs):
        return torch.rand(pairs.size(1), dtype=torch.float64, device=pairs.device)
