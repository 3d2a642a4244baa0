"""node2vec: Grover & Leskovec 2016, "node2vec: Scalable Feature Learning for Networks".

node2vec does not propagate, so it walks the whole training graph
(``remove_targets = False``): each step (one per epoch: ``batch_size`` None
means all training edges) starts ``walks_per_node`` walks at every node with
an edge, as PyG's ``Node2Vec`` loader does. Deviations from the paper, for a
CPU budget: walks of 20 steps (paper: 80) and one walk per node per epoch
(paper: 10 walks in all, many epochs here); dense Adam at ``lr=0.05``
instead of SparseAdam (``lr=0.01`` is in the grid).

Skip-gram with negative sampling over biased second-order random walks,
learned by the shared loop (its ``link_loss`` replaces the pair loss), then
scored with an inner-product decoder (the paper trains a logistic regression
on Hadamard features instead; the issue's baseline is node2vec + dot
product). PyG's ``Node2Vec`` needs torch-cluster
or pyg-lib for its walker; the walker here is plain PyTorch: uniform steps
when ``p = q = 1`` (DeepWalk), otherwise rejection sampling against the
bias ``1/p`` (return), ``1`` (stay near), ``1/q`` (move out), as in KnightKing.
"""

import torch
import torch.nn.functional as F

from suite.baselines._link import Adjacency, dot
from suite.method import register_method

EPS = 1e-15


def random_walks(adj: Adjacency, start: torch.Tensor, length: int, p: float = 1.0, q: float = 1.0) -> torch.Tensor:
    """Walks [len(start), length] (node ids, column 0 = ``start``); a node with no neighbour repeats."""
    walk, prev, cur = [start], None, start
    bound = max(1.0 / p, 1.0, 1.0 / q)
    for _ in range(length - 1):
        if prev is None or (p == 1.0 and q == 1.0):
            nxt = adj.random_neighbor(cur)
        else:
            nxt, todo = cur.clone(), torch.arange(cur.numel(), device=cur.device)
            while todo.numel():
                cand = adj.random_neighbor(cur[todo])
                weight = torch.where(cand == prev[todo], 1.0 / p,
                                     torch.where(adj.has_edge(prev[todo], cand), 1.0, 1.0 / q))
                accept = (torch.rand(todo.shape, device=cur.device) * bound < weight) | (adj.deg[cur[todo]] == 0)
                nxt[todo[accept]] = cand[accept]
                todo = todo[~accept]
        walk.append(nxt)
        prev, cur = cur, nxt
    return torch.stack(walk, dim=1)


def windows(walks: torch.Tensor, context_size: int) -> torch.Tensor:
    """Every length-``context_size`` window of every walk: [num_windows, context_size]."""
    return walks.unfold(1, context_size, 1).reshape(-1, context_size)


@register_method(
    "node2vec", kind="embedding",
    paper="Grover & Leskovec 2016 (KDD), https://arxiv.org/abs/1607.00653",
    defaults=dict(embedding=128, walk_length=20, context_size=10, walks_per_node=1, p=1.0, q=1.0,
                  negatives=1, lr=0.05, weight_decay=0.0, epochs=100, batch_size=None),
    grid=dict(embedding=[128], walk_length=[20], context_size=[10], walks_per_node=[1], p=[1.0, 0.5, 2.0],
              q=[1.0, 0.5, 2.0], negatives=[1], lr=[0.05, 0.01], weight_decay=[0.0], epochs=[100], batch_size=[None]),
    tracks=("link",),
)
class Node2Vec(torch.nn.Module):
    """One free embedding per node [N, embedding]: (data, pairs [2, P]) -> inner products [P]; ignores ``x``."""

    remove_targets = False  # no message passing: walks embed the whole training graph

    def __init__(self, in_channels: int, out_channels: int, num_nodes: int, embedding: int = 128,
                 walk_length: int = 20, context_size: int = 10, walks_per_node: int = 1, p: float = 1.0,
                 q: float = 1.0, negatives: int = 1):
        super().__init__()
        if context_size > walk_length:
            raise ValueError(f"node2vec: context_size {context_size} exceeds walk_length {walk_length}")
        self.emb = torch.nn.Embedding(num_nodes, embedding)
        self.walk_length, self.context_size, self.walks_per_node = walk_length, context_size, walks_per_node
        self.p, self.q, self.negatives = p, q, negatives

    def forward(self, data, pairs: torch.Tensor) -> torch.Tensor:
        return dot(self.emb.weight, pairs)

    def link_loss(self, data, pos: torch.Tensor, neg: torch.Tensor) -> torch.Tensor:
        """Skip-gram loss on walks from every node with an edge, over the training graph ``data``."""
        adj = Adjacency(data.edge_index, data.num_nodes)
        start = (adj.deg > 0).nonzero().view(-1).repeat(self.walks_per_node)
        ctx = windows(random_walks(adj, start, self.walk_length, self.p, self.q), self.context_size)
        rand = torch.randint(data.num_nodes, (start.numel() * self.negatives, self.walk_length), device=pos.device)
        rand[:, 0] = start.repeat(self.negatives)
        nctx = windows(rand, self.context_size)
        return self._term(ctx, positive=True) + self._term(nctx, positive=False)

    def _term(self, ctx: torch.Tensor, positive: bool) -> torch.Tensor:
        h_start = self.emb(ctx[:, :1])  # [W, 1, d]
        h_rest = self.emb(ctx[:, 1:])  # [W, c - 1, d]
        logit = (h_start * h_rest).sum(dim=-1).view(-1)
        return -(F.logsigmoid(logit) if positive else F.logsigmoid(-logit)).mean()
