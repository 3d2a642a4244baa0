"""What a method sees of a task: a label-free graph view.

Node classification (:func:`node_view`): the runner splits a
:class:`NodeDataset` into three parts that never meet:
the method's view (features, edges, split indices and *training* labels
only), the validation labels (held by the objective for model selection) and
the test labels (held by the :class:`~suite.evaluator.Evaluator`). There is no
``y`` attribute on the view, so test labels are absent, not masked.

Link prediction (:func:`link_view`): the view holds the training edges
only; held-out edges and every pair label stay with the objective
(validation) and the evaluator (test).
"""

from __future__ import annotations

import torch
from torch_geometric.data import Data
from torch_geometric.utils import coalesce

from suite.datasets.base import LinkDataset, LinkSplit, NodeDataset, Split
from suite.datasets.graph import GraphDataset
from suite.datasets.table import TableDataset

SPARSE_DENSITY_MAX = 0.5


def input_features(x: torch.Tensor, input_layout: str = "dense") -> torch.Tensor:
    """``x`` as the method asks for it: sparse CSR for ``"sparse_csr"`` when under half is non-zero."""
    if input_layout == "sparse_csr" and (x != 0).float().mean().item() < SPARSE_DENSITY_MAX:
        return x.to_sparse_csr()
    return x


def node_view(ds: NodeDataset, split: Split, input_layout: str = "dense", x: torch.Tensor | None = None) -> Data:
    """Method-facing data.

    Attributes: ``x`` [N, F] (a sparse CSR tensor when the method asks for
    ``input_layout="sparse_csr"`` and under half the entries are non-zero),
    ``edge_index`` [2, E], ``train_idx``/``val_idx``/``test_idx`` [n_*],
    ``y_train`` [n_train] (labels of ``train_idx``), ``num_classes``. Pass
    ``x=input_features(ds.x, input_layout)`` to reuse a conversion across splits.
    """
    x = input_features(ds.x, input_layout) if x is None else x
    return Data(
        x=x,
        edge_index=ds.edge_index,
        num_nodes=ds.num_nodes,
        num_classes=ds.num_classes,
        train_idx=split.train,
        val_idx=split.val,
        test_idx=split.test,
        y_train=ds.y[split.train].clone(),
    )


def link_view(ds: LinkDataset, split: LinkSplit, x: torch.Tensor | None = None) -> Data:
    """Method-facing data for link prediction.

    Attributes: ``x`` [N, F], ``edge_index`` [2, 2 * E_train] (both
    directions of the training edges: the only graph a model propagates
    over), ``train_pos`` [2, E_train] (training edges, ``u < v``),
    ``num_nodes``. Validation and test pairs are not on the view: the
    objective passes them to ``model(data, pairs)`` without labels.
    """
    x = ds.x if x is None else x
    edge_index = coalesce(torch.cat([split.train_pos, split.train_pos.flip(0)], dim=1), num_nodes=ds.num_nodes)
    return Data(x=x, edge_index=edge_index, num_nodes=ds.num_nodes, train_pos=split.train_pos.clone())


def table_view(ds: TableDataset, split: Split) -> Data:
    """Method-facing data for the example-table tracks (function, algorithmic, sparsity, tabular).

    Attributes: ``x_train`` [n_train, d], ``x_val`` [n_val, d], ``x_test``
    [n_test, d] (int64 tokens when ``vocab_size`` is set), ``y_train``
    (class ids [n_train], float targets [n_train] or bits [n_train, k]),
    ``target``, ``num_outputs``, ``num_classes``, ``vocab_size``. With
    ``ds.standardize``, features are standardised by the training rows' mean
    and std; regression targets too (``y_mean``/``y_std`` given, so a model
    predicts standardised targets and the objective maps them back). No
    validation or test labels.
    """
    x = ds.x
    if ds.standardize and ds.vocab_size is None:
        mu, sd = x[split.train].mean(0), x[split.train].std(0)
        x = (x - mu) / torch.where(sd > 0, sd, torch.ones_like(sd))
    y_train = ds.y[split.train].clone()
    y_mean, y_std = 0.0, 1.0
    if ds.target == "regression" and ds.standardize:
        y_mean, y_std = y_train.mean().item(), max(y_train.std().item(), 1e-12)
        y_train = (y_train - y_mean) / y_std
    return Data(x_train=x[split.train].clone(), x_val=x[split.val].clone(), x_test=x[split.test].clone(),
                y_train=y_train, target=ds.target, num_outputs=ds.num_outputs, num_classes=ds.num_classes,
                vocab_size=ds.vocab_size, y_mean=y_mean, y_std=y_std, num_nodes=0)


def _unlabelled(graphs: list, ids: torch.Tensor) -> list:
    """The graphs ``ids`` as new Data objects holding their tensors only (shared storage, no copy): whatever a
    loader left on a graph besides ``x``, ``edge_index``, ``edge_attr`` and ``fp`` does not reach a method."""
    keep = ("x", "edge_index", "edge_attr", "fp")
    return [Data(**{k: graphs[i][k] for k in keep if k in graphs[i]}, num_nodes=graphs[i].num_nodes)
            for i in ids.tolist()]


def graph_view(ds: GraphDataset, split: Split) -> Data:
    """Method-facing data for the graph-level track.

    Attributes: ``train_graphs``, ``val_graphs``, ``test_graphs`` (lists of
    ``Data`` with ``x`` [n_i, F], ``edge_index`` [2, E_i], and ``edge_attr``
    [E_i, D] / ``fp`` [1, B] where the dataset has them; no labels),
    ``y_train`` (class ids [n_train], standardised regression targets
    [n_train] with ``y_mean``/``y_std`` to map back, or multi-label targets
    [n_train, T] with NaN where missing), ``target``, ``num_outputs``,
    ``num_classes``, ``num_graph_features``, ``edge_dim`` (0: no edge features),
    ``attribute_columns`` (leading columns of ``x`` that are continuous attributes, not discrete labels).
    Validation and test labels are not on the view.
    """
    y_train = ds.y[split.train].clone()
    y_mean, y_std = 0.0, 1.0
    if ds.target == "regression":
        y_mean, y_std = y_train.mean().item(), max(y_train.std().item(), 1e-12)
        y_train = (y_train - y_mean) / y_std
    first = ds.graphs[0]
    edge_dim = first.edge_attr.size(1) if first.get("edge_attr") is not None else 0
    return Data(train_graphs=_unlabelled(ds.graphs, split.train), val_graphs=_unlabelled(ds.graphs, split.val),
                test_graphs=_unlabelled(ds.graphs, split.test), y_train=y_train, target=ds.target,
                num_outputs=ds.num_outputs, num_classes=ds.num_classes, num_graph_features=ds.num_features,
                edge_dim=edge_dim, attribute_columns=ds.attribute_columns, y_mean=y_mean, y_std=y_std, num_nodes=0)
