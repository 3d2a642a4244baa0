"""Track objectives: what one training step optimises and how a model is validated.

The loop (:mod:`suite.loop`) is the same for every track; an objective
supplies the batches, the training loss, and the validation pass. It holds
validation labels for selection; it never holds test labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch_geometric.data import Data

from suite.errors import ConfigError
from suite.metrics import Metric


def check_output(out, expected: tuple[int, ...], contract: str) -> torch.Tensor:
    """``out`` if it is a floating-point tensor of shape ``expected`` (a single output may also come as one column
    or none: [n, 1] or [n]); otherwise a one-line error naming the track's model contract, so a method with a
    wrong output fails at its first step with a clear reason."""
    if not isinstance(out, torch.Tensor):
        raise ConfigError(f"the model returned {type(out).__name__}, not a tensor; {contract}")
    shapes = {tuple(expected)}
    if expected[-1] == 1 or len(expected) == 1:  # one output per row: [n], [n, 1] alike
        shapes |= {(expected[0],), (expected[0], 1)}
    if tuple(out.shape) not in shapes or not out.is_floating_point():
        raise ConfigError(f"the model returned shape {tuple(out.shape)} ({out.dtype}), expected {tuple(expected)} "
                          f"floating-point scores; {contract}")
    return out


@dataclass
class Evaluation:
    val_metric: float  # the task's primary metric: selection uses it
    val_loss: float
    test_output: torch.Tensor  # the model's output rows for the test items, no labels
    val_metrics: dict = field(default_factory=dict)  # every metric of the task on validation
    train_metric: float | None = None  # the primary metric on the training items, where the objective reports it


class NodeClassification:
    """Full-batch transductive node classification: cross-entropy on ``train_idx``.

    Model contract: ``model(view) -> [num_nodes, num_classes]`` class scores.
    Under a protocol with ``batch_nodes``, training steps instead pass
    neighbour-sampled subgraphs (``x``, ``edge_index``, ``num_nodes``; the
    seed nodes first) and the model must treat each as a new graph
    (methods registered with ``minibatch=True``).
    """

    CONTRACT = "the node track's models map the view to [num_nodes, num_classes] class scores"

    def __init__(self, view: Data, metrics: list[Metric], config: dict, y_val: torch.Tensor,
                 protocol: dict | None = None):
        self.view, self.metrics, self.y_val = view, metrics, y_val
        self.loader = None
        batch_nodes = (protocol or {}).get("batch_nodes")
        if batch_nodes:  # mini-batches of training nodes with sampled neighbourhoods
            from suite.sampling import neighbor_loader

            cpu = view.cpu()  # sampling runs on the CPU; loss() moves each batch to the model's device
            self.loader = neighbor_loader(cpu, list(protocol["num_neighbors"]), cpu.train_idx, int(batch_nodes))

    @staticmethod
    def in_channels(view: Data) -> int:
        return view.num_features

    @staticmethod
    def out_channels(view: Data) -> int:
        return view.num_classes

    def train_batches(self):
        return (self.view,) if self.loader is None else self.loader

    def loss(self, model: torch.nn.Module, batch: Data) -> torch.Tensor:
        if self.loader is not None:  # the seeds are the batch's first nodes; input_id indexes train_idx
            batch = batch.to(self.view.y_train.device)
            x = batch.x.to_sparse_csr() if batch.x.is_sparse else batch.x  # methods take CSR features
            sub = Data(x=x, edge_index=batch.edge_index, num_nodes=batch.num_nodes)
            out = check_output(model(sub), (batch.num_nodes, self.view.num_classes), self.CONTRACT)
            return F.cross_entropy(out[:batch.batch_size], self.view.y_train[batch.input_id])
        out = check_output(model(batch), (batch.num_nodes, self.view.num_classes), self.CONTRACT)
        return F.cross_entropy(out[batch.train_idx], batch.y_train)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> Evaluation:
        out = model(self.view)
        val_out = out[self.view.val_idx]
        scores = {m.name: m(val_out, self.y_val) for m in self.metrics}
        return Evaluation(
            val_metric=scores[self.metrics[0].name],
            val_loss=F.cross_entropy(val_out, self.y_val).item(),
            test_output=out[self.view.test_idx],
            val_metrics=scores,
        )

    @torch.no_grad()
    def inference(self, model: torch.nn.Module) -> torch.Tensor:
        """One full inference pass, as timed for latency."""
        return model(self.view)


def without_edges(edge_index: torch.Tensor, pairs: torch.Tensor, num_nodes: int) -> torch.Tensor:
    """``edge_index`` [2, E] minus both directions of every pair in ``pairs`` [2, B]."""
    keys = edge_index[0] * num_nodes + edge_index[1]
    drop = torch.cat([pairs[0] * num_nodes + pairs[1], pairs[1] * num_nodes + pairs[0]])
    return edge_index[:, ~torch.isin(keys, drop)]


class LinkPrediction:
    """Transductive link prediction on a frozen edge split, mini-batches of training edges.

    Model contract: ``model(data, pairs) -> [P]`` one score (a logit) per
    candidate pair ``pairs`` [2, P], propagating over ``data.edge_index``
    only. Each training batch holds ``batch_size`` training edges as
    positives and as many uniform random pairs as negatives, and its own
    positives are removed from the graph it propagates over (target link
    removal), so no model learns to spot an edge it can see. A model that
    does not propagate (``remove_targets = False``: node2vec's walks embed
    the whole training graph) gets the training graph. Validation and test
    pairs are scored over the training graph; their edges are never in any
    graph a model receives. Loss: binary cross-entropy on the logits, unless
    the model defines ``link_loss(data, pos, neg)`` (e.g. node2vec's
    skip-gram loss).
    """

    CONTRACT = "the link track's models map (data, pairs [2, P]) to [P] logits, one per pair"

    def __init__(self, view: Data, metrics: list[Metric], config: dict, val_pairs: torch.Tensor,
                 val_label: torch.Tensor, test_pairs: torch.Tensor, protocol: dict | None = None):
        self.view, self.metrics = view, metrics
        self.val_pairs, self.val_label, self.test_pairs = val_pairs, val_label, test_pairs
        self.batch_size = int(config.get("batch_size") or view.train_pos.size(1))  # None: all in one step

    @staticmethod
    def in_channels(view: Data) -> int:
        return view.num_features

    @staticmethod
    def out_channels(view: Data) -> int:
        return 1

    def train_batches(self):
        n, pos = self.view.num_nodes, self.view.train_pos
        perm = torch.randperm(pos.size(1), device=pos.device)
        for chunk in perm.split(self.batch_size):
            target = pos[:, chunk]
            yield target, torch.randint(n, target.shape, device=pos.device)

    def batch_graph(self, model: torch.nn.Module, target: torch.Tensor) -> Data:
        """The training graph without the batch's ``target`` edges (both directions)."""
        if not getattr(model, "remove_targets", True):
            return self.view
        n = self.view.num_nodes
        return Data(x=self.view.x, edge_index=without_edges(self.view.edge_index, target, n), num_nodes=n)

    def loss(self, model: torch.nn.Module, batch) -> torch.Tensor:
        pos, neg = batch
        graph = self.batch_graph(model, pos)
        if hasattr(model, "link_loss"):
            return model.link_loss(graph, pos, neg)
        logits = check_output(model(graph, torch.cat([pos, neg], dim=1)), (pos.size(1) + neg.size(1),),
                              self.CONTRACT).view(-1)
        labels = torch.cat([logits.new_ones(pos.size(1)), logits.new_zeros(neg.size(1))])
        return F.binary_cross_entropy_with_logits(logits, labels)

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> Evaluation:
        nv = self.val_pairs.size(1)
        # Scores keep their dtype: float64 heuristics (Adamic-Adar sums) would gain ties in float32.
        scores = model(self.view, torch.cat([self.val_pairs, self.test_pairs], dim=1)).view(-1)
        val = scores[:nv]
        values = {m.name: m(val, self.val_label) for m in self.metrics}
        return Evaluation(
            val_metric=values[self.metrics[0].name],
            val_loss=F.binary_cross_entropy_with_logits(val, self.val_label.to(val.dtype)).item(),
            test_output=scores[nv:],
            val_metrics=values,
        )

    @torch.no_grad()
    def inference(self, model: torch.nn.Module) -> torch.Tensor:
        """Scores of every test pair over the training graph, as timed for latency."""
        return model(self.view, self.test_pairs)



class Supervised:
    """Supervised learning on an example table (function, algorithmic, sparsity and tabular tracks).

    Model contract: ``model(x) -> [B, num_outputs]`` for a batch of rows
    ``x`` [B, d] (float features or int64 tokens): class scores
    (``target="classification"``), one standardised prediction per row
    (``"regression"``; squeezed to [B]) or k logits (``"bits"``). Loss:
    cross-entropy, mean squared error, or binary cross-entropy. An epoch is
    one pass over the training rows in shuffled mini-batches of the method's
    ``batch_size`` (None: the whole set, one step). A model that defines
    ``setup(view)`` gets the training view once before training (a k-NN or
    tree ensemble fits there; a Hopfield layer stores its memory). Each
    validation pass also scores the training rows (``train_metric``), for
    learning curves such as grokking's.
    """

    CONTRACT = "models of table tracks map rows [B, d] to [B, num_outputs] scores"

    def __init__(self, view: Data, metrics: list[Metric], config: dict, y_val: torch.Tensor,
                 protocol: dict | None = None):
        self.view, self.metrics, self.y_val = view, metrics, y_val
        self.target = view.target
        n = view.x_train.size(0)
        self.batch_size = min(int(config.get("batch_size") or n), n)
        self.y_train_raw = self._unscale(view.y_train) if self.target == "regression" else view.y_train

    @staticmethod
    def in_channels(view: Data) -> int:
        return view.x_train.size(1)

    @staticmethod
    def out_channels(view: Data) -> int:
        return view.num_outputs

    def _out(self, out: torch.Tensor) -> torch.Tensor:
        return out.view(-1) if self.target == "regression" else out

    def _unscale(self, pred: torch.Tensor) -> torch.Tensor:
        return pred * self.view.y_std + self.view.y_mean

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.target == "classification":
            return F.cross_entropy(out, y)
        if self.target == "regression":
            return F.mse_loss(out, y)
        return F.binary_cross_entropy_with_logits(out, y)

    def train_batches(self):
        n = self.view.x_train.size(0)
        if self.batch_size >= n:
            yield torch.arange(n, device=self.view.x_train.device)
            return
        yield from torch.randperm(n, device=self.view.x_train.device).split(self.batch_size)

    def loss(self, model: torch.nn.Module, batch: torch.Tensor) -> torch.Tensor:
        out = check_output(model(self.view.x_train[batch]), (batch.numel(), self.view.num_outputs), self.CONTRACT)
        return self._loss(self._out(out), self.view.y_train[batch])

    def _predict(self, model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """Model output on ``x`` in the units the metrics read (regression mapped back to the target's)."""
        out = self._out(model(x))
        return self._unscale(out) if self.target == "regression" else out

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> Evaluation:
        val_out = self._predict(model, self.view.x_val)
        scores = {m.name: m(val_out, self.y_val) for m in self.metrics}
        train_out = self._predict(model, self.view.x_train)
        if self.target == "regression":  # loss in standardised units, as trained
            val_loss = F.mse_loss((val_out - self.view.y_mean) / self.view.y_std,
                                  (self.y_val - self.view.y_mean) / self.view.y_std).item()
        else:
            val_loss = self._loss(val_out, self.y_val).item()
        return Evaluation(
            val_metric=scores[self.metrics[0].name],
            val_loss=val_loss,
            test_output=self._predict(model, self.view.x_test),
            val_metrics=scores,
            train_metric=self.metrics[0](train_out, self.y_train_raw),
        )

    @torch.no_grad()
    def inference(self, model: torch.nn.Module) -> torch.Tensor:
        """Predictions for every test row, as timed for latency."""
        return model(self.view.x_test)


class GraphLevel:
    """Graph-level prediction on sets of graphs (the graph track), in mini-batches of whole graphs.

    Model contract: ``model(batch) -> [num_graphs, num_outputs]`` for a PyG
    ``Batch`` (``x``, ``edge_index``, ``batch``, ``num_graphs``; ``edge_attr``
    and ``fp`` where the dataset has them): class scores
    (``target="classification"``, cross-entropy), one standardised prediction
    (``"regression"``, mean squared error; metrics read it mapped back to the
    target's units) or T logits (``"multilabel"``, binary cross-entropy over
    the labels present: missing ones (NaN) neither train nor score). An epoch
    is one shuffled pass over the training graphs in batches of the method's
    ``batch_size`` (default 32). Training batches carry ``y`` (training labels
    are the method's to see); validation and test batches carry none.
    A model that defines ``setup(view)`` gets the view once before training
    (the WL kernel fits there).
    """

    CONTRACT = "the graph track's models map a Batch of graphs to [num_graphs, num_outputs] scores"

    def __init__(self, view: Data, metrics: list[Metric], config: dict, y_val: torch.Tensor,
                 protocol: dict | None = None):
        from torch_geometric.loader import DataLoader

        self.view, self.metrics, self.y_val, self.target = view, metrics, y_val, view.target
        self.batch_size = int(config.get("batch_size") or 32)
        y = view.y_train
        labelled = [Data(**{k: g[k] for k in g.keys()}, y=y[i:i + 1]) for i, g in enumerate(view.train_graphs)]
        self._train = DataLoader(labelled, batch_size=self.batch_size, shuffle=True)
        # Validation and test batches never change: collate them once, not every epoch.
        self._val = list(DataLoader(view.val_graphs, batch_size=max(self.batch_size, 256)))
        self._test = list(DataLoader(view.test_graphs, batch_size=max(self.batch_size, 256)))
        self.device = y.device

    @staticmethod
    def in_channels(view: Data) -> int:
        return view.num_graph_features

    @staticmethod
    def out_channels(view: Data) -> int:
        return view.num_outputs

    def train_batches(self):
        for batch in self._train:
            yield batch.to(self.device)

    def _loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.target == "classification":
            return F.cross_entropy(out, y)
        if self.target == "regression":
            return F.mse_loss(out.view(-1), y.view(-1))
        present = ~torch.isnan(y)
        return F.binary_cross_entropy_with_logits(out[present], y[present])

    def loss(self, model: torch.nn.Module, batch) -> torch.Tensor:
        return self._loss(check_output(model(batch), (batch.num_graphs, self.view.num_outputs), self.CONTRACT), batch.y)

    def _predict(self, model: torch.nn.Module, batches: list) -> torch.Tensor:
        """Model outputs over ``batches``, in graph order, in the units the metrics read."""
        out = torch.cat([model(b.to(self.device)) for b in batches])
        if self.target == "regression":
            return out.view(-1) * self.view.y_std + self.view.y_mean
        return out

    @torch.no_grad()
    def evaluate(self, model: torch.nn.Module) -> Evaluation:
        val_out = self._predict(model, self._val)
        scores = {m.name: m(val_out, self.y_val) for m in self.metrics}
        if self.target == "regression":  # loss in standardised units, as trained
            val_loss = F.mse_loss((val_out - self.view.y_mean) / self.view.y_std,
                                  (self.y_val - self.view.y_mean) / self.view.y_std).item()
        else:
            val_loss = self._loss(val_out, self.y_val).item()
        return Evaluation(val_metric=scores[self.metrics[0].name], val_loss=val_loss,
                          test_output=self._predict(model, self._test), val_metrics=scores)

    @torch.no_grad()
    def inference(self, model: torch.nn.Module) -> torch.Tensor:
        """Outputs for every test graph, as timed for latency."""
        return torch.cat([model(b.to(self.device)) for b in self._test])
