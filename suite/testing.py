"""Probe methods: the test suite uses them to check that the harness measures what it claims.

They are registered only when this module is imported (the runner's worker
imports a method's module by name), so they never appear in ``netarena list
methods`` or on the leaderboard.
"""

from __future__ import annotations

import gc
import time
import warnings

import torch

from suite.method import register_method


class _Probe(torch.nn.Module):
    """A linear model on the features, so the loop has something to train."""

    def __init__(self, in_channels: int, out_channels: int):
        super().__init__()
        self.lin = torch.nn.Linear(in_channels, out_channels)

    def forward(self, data) -> torch.Tensor:
        x = data.x.to_dense() if data.x.layout == torch.sparse_csr else data.x
        return self.lin(x)


@register_method("probe-alloc", kind="probe", paper="test probe", defaults=dict(mib=256, lr=0.01, epochs=3))
class AllocProbe(_Probe):
    """Allocates and touches a ``mib`` MiB buffer on its first forward and keeps it for the run."""

    def __init__(self, in_channels, out_channels, mib=256):
        super().__init__(in_channels, out_channels)
        self.mib, self.buffer = mib, None

    def forward(self, data):
        if self.buffer is None:
            self.buffer = torch.ones(self.mib * 2**20 // 4)  # ones() writes every page
        return super().forward(data)


@register_method("probe-sleep", kind="probe", paper="test probe", defaults=dict(ms=20.0, lr=0.01, epochs=2))
class SleepProbe(_Probe):
    """Sleeps ``ms`` milliseconds in every inference (eval-mode) forward."""

    def __init__(self, in_channels, out_channels, ms=20.0):
        super().__init__(in_channels, out_channels)
        self.ms = ms

    def forward(self, data):
        if not self.training:
            time.sleep(self.ms / 1e3)
        return super().forward(data)


@register_method("probe-raise", kind="probe", paper="test probe", defaults=dict(lr=0.01, epochs=2))
class RaiseProbe(_Probe):
    """Raises in its first forward."""

    def forward(self, data):
        raise RuntimeError("probe-raise: deliberate failure")


@register_method("probe-nan", kind="probe", paper="test probe", defaults=dict(lr=0.01, epochs=5))
class NanProbe(_Probe):
    """Returns NaN scores, so the training loss is NaN."""

    def forward(self, data):
        return super().forward(data) * float("nan")


def label_like_tensors(num_nodes: int, num_test: int, num_classes: int) -> list[torch.Tensor]:
    """Every integer tensor alive in this process that could hold node or test labels.

    1-D, integer, length ``num_nodes`` or ``num_test``, values in ``[0, num_classes)``.
    """
    found = []
    with warnings.catch_warnings():  # isinstance() on some torch objects warns about deprecations
        warnings.simplefilter("ignore")
        objects = gc.get_objects()
    for obj in objects:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                is_tensor = isinstance(obj, torch.Tensor)
            if not is_tensor or obj.layout != torch.strided or obj.is_floating_point():
                continue
            if obj.dim() == 1 and obj.numel() in (num_nodes, num_test) and obj.dtype != torch.bool:
                if obj.numel() and 0 <= int(obj.min()) and int(obj.max()) < num_classes:
                    found.append(obj.detach().clone())
        except Exception:  # noqa: BLE001  (objects half torn down by gc)
            continue
    return found


@register_method("probe-cheat", kind="probe", paper="test probe",
                 defaults=dict(report="", lr=0.01, epochs=1))
class CheatProbe(_Probe):
    """Tries to find test labels: in what it receives and anywhere in its process.

    Saves what it found to ``report`` (a path): the view's attribute names and
    every label-like tensor alive in the worker, for the test to inspect.
    """

    def __init__(self, in_channels, out_channels, report=""):
        super().__init__(in_channels, out_channels)
        self.report, self.done = report, False

    def forward(self, data):
        if not self.done and self.report:
            self.done = True
            found = label_like_tensors(data.num_nodes, data.test_idx.numel(), data.num_classes)
            torch.save({"keys": sorted(data.keys()), "tensors": found}, self.report)
        return super().forward(data)


@register_method("probe-link-spy", kind="probe", paper="test probe", tracks=("link",),
                 defaults=dict(report="", lr=0.01, epochs=2, batch_size=512))
class LinkSpyProbe(torch.nn.Module):
    """A link method that records every graph it is given, for the leakage test.

    Each ``forward(data, pairs)`` appends ``(edge_index, pairs, training)`` to
    ``report`` (a path, rewritten after every call) and scores pairs by an
    inner product of a linear map of ``x``.
    """

    def __init__(self, in_channels, out_channels, report=""):
        super().__init__()
        self.lin = torch.nn.Linear(in_channels, 8)
        self.report, self.seen = report, []

    def forward(self, data, pairs):
        if self.report:
            self.seen.append((data.edge_index.clone(), pairs.clone(), self.training))
            torch.save(self.seen, self.report)
        z = self.lin(data.x.to_dense() if data.x.layout == torch.sparse_csr else data.x)
        return (z[pairs[0]] * z[pairs[1]]).sum(-1)


@register_method("probe-table", kind="probe", paper="test probe", tracks=("function", "algorithmic", "sparsity",
                                                                          "tabular"),
                 defaults=dict(hidden=8, lr=0.01, weight_decay=0.0, epochs=20, batch_size=None), size_key="hidden")
class TableProbe(torch.nn.Module):
    """Rows x [B, d] -> [B, out]: one hidden layer of ``hidden`` SiLU units (``in*h + h + h*out + out`` params).

    Takes ``vocab_size`` so token inputs (the algorithmic track) are embedded as one-hots.
    """

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 8, vocab_size: int | None = None):
        super().__init__()
        self.vocab = vocab_size
        width = in_channels * (vocab_size or 1)
        self.net = torch.nn.Sequential(torch.nn.Linear(width, hidden), torch.nn.SiLU(),
                                       torch.nn.Linear(hidden, out_channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.vocab:
            x = torch.nn.functional.one_hot(x, self.vocab).flatten(1).float()
        return self.net(x)


@register_method("probe-graph", kind="probe", paper="test probe", tracks=("graph",),
                 defaults=dict(hidden=8, lr=0.01, weight_decay=0.0, epochs=20, batch_size=16),
                 grid=dict(hidden=[4, 8, 16], lr=[0.01], weight_decay=[0.0], epochs=[20], batch_size=[16]),
                 size_key="hidden")
class GraphProbe(torch.nn.Module):
    """A PyG Batch -> [num_graphs, out]: one message-passing step (node + sum of neighbours), sum readout, MLP."""

    def __init__(self, in_channels: int, out_channels: int, hidden: int = 8):
        super().__init__()
        self.node = torch.nn.Linear(2 * in_channels, hidden)
        self.out = torch.nn.Linear(hidden, out_channels)

    def forward(self, batch) -> torch.Tensor:
        from torch_geometric.nn import global_add_pool
        from torch_geometric.utils import scatter

        agg = scatter(batch.x[batch.edge_index[0]], batch.edge_index[1], 0, dim_size=batch.num_nodes, reduce="sum")
        h = torch.relu(self.node(torch.cat([batch.x, agg], dim=1)))
        return self.out(global_add_pool(h, batch.batch, size=batch.num_graphs))


def toy_graphs(num: int = 60, seed: int = 0):
    """``num`` small graphs, label 1 for a cycle and 0 for a path (see :func:`suite.datasets.graph_synthetic.make_toy_cycles`)."""
    from suite.datasets.graph_synthetic import make_toy_cycles

    return make_toy_cycles(num, seed)