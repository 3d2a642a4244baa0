"""Harness overhead and speed against PyG's reference GCN, on Cora (CPU, this process).

Prints two ratios and what goes into them:

1. Harness overhead, target <= 1.05. Task ``cora``, method ``gcn``, seed 0, 200
   epochs on both sides:

   a) suite: ``node_view`` -> ``MethodSpec.build`` / ``.optimizer`` ->
      ``NodeClassification`` -> ``suite.loop.fit(patience=None)``;
   b) bare: a hand-written loop on the same view with the same GCN class and
      optimizer groups; per epoch zero_grad, forward, cross-entropy on
      ``train_idx``, backward, step, then an eval forward computing validation
      accuracy and keeping the test rows when it improves.

   One warm-up round of each, then ``--rounds`` interleaved rounds (a, b, a,
   b, ...), ``torch.manual_seed(0)`` before each; both sides train the same
   model (checked). Ratio: median(a) / median(b), with the median of the
   per-round ratios beside it (robust to load drift on a shared machine).
   Also, for information only: the end-to-end ``Runner.run`` (fork-server
   worker, training, 23 inference passes, Parquet
   write; patience off so it trains all 200 epochs), interleaved with bare
   runs and compared per epoch.

2. Speed against PyG's examples/gcn.py, target >= 2x faster per epoch at the
   same accuracy. The reference: dense row-normalised features, dense input
   dropout, GCNConv(cached=True) x2, Adam with weight decay on conv1 only, 200
   epochs; an epoch is train() + test() and the accuracy is the test accuracy
   at the best validation accuracy. The suite's GCN (sparse CSR input
   dropout) is trained by ``suite.loop.fit`` for 200 epochs. Seeds 0..S-1,
   interleaved; per side the median epoch time over all epochs of all seeds
   except the first 3 of each run, and mean +- std test accuracy.

Run (data from the suite's cache or mirror, as for ``netarena run``)::

    python benchmarks/bench_overhead.py [--rounds N] [--seeds S]

Timings are wall-clock medians; the targets are reported, not enforced (exit 0).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import datetime

import torch
import torch.nn.functional as F
import torch_geometric
from torch_geometric.nn import GCNConv

from suite.evaluator import Evaluator
from suite.loop import fit
from suite.measure import cpu_model
from suite.metrics import get_metric
from suite.objective import NodeClassification
from suite.registry import METHODS, TASKS
from suite.runner import Runner, plan
from suite.view import node_view

TASK, METHOD, SEED, EPOCHS = "cora", "gcn", 0, 200
E2E_ROUNDS = 3
WARMUP_EPOCHS = 3


def timed(fn, *args):
    """(wall seconds, result) of ``fn(*args)``."""
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def spread(values: list[float], unit: float = 1.0, fmt: str = ".3f") -> str:
    """'median [min, max]' of ``values`` scaled by ``unit``."""
    med, lo, hi = (unit * v for v in (statistics.median(values), min(values), max(values)))
    return f"{med:{fmt}} [min {lo:{fmt}}, max {hi:{fmt}}]"


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def print_header() -> None:
    print("NetArena harness benchmark")
    print(f"  date     {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(f"  torch    {torch.__version__}, torch_geometric {torch_geometric.__version__}")
    print(f"  threads  {torch.get_num_threads()} (torch.get_num_threads), {os.cpu_count()} CPUs")
    print(f"  cpu      {cpu_model()}")
    print(f"  load     {' '.join(f'{v:.2f}' for v in os.getloadavg())} (1/5/15 min)")


# --- 1. harness overhead -------------------------------------------------------------------------

def suite_train(data, split, spec, config, seed):
    """The suite's path; returns (node_view seconds, model, FitResult)."""
    torch.manual_seed(seed)
    view_s, view = timed(node_view, data, split, spec.input_layout)
    model = spec.build(config, view.num_features, view.num_classes)
    optimizer = spec.optimizer(model, config)
    objective = NodeClassification(view, data.y[split.val], get_metric(TASKS.get(TASK).metric))
    result = fit(model, objective, optimizer, epochs=EPOCHS, patience=None, higher_is_better=True)
    return view_s, model, result


def bare_train(view, y_val, spec, config, seed):
    """Hand-written equivalent of ``suite_train`` on a prebuilt view; returns (model, best val acc, test rows)."""
    torch.manual_seed(seed)
    model = spec.cls(view.num_features, view.num_classes, hidden=config["hidden"], dropout=config["dropout"])
    optimizer = torch.optim.Adam(model.param_groups(config["weight_decay"]), lr=config["lr"])
    best_val, test_out = -1.0, None
    for _ in range(EPOCHS):
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(view)[view.train_idx], view.y_train)
        loss.backward()
        optimizer.step()
        model.eval()
        with torch.no_grad():
            out = model(view)
            val_acc = (out[view.val_idx].argmax(-1) == y_val).float().mean().item()
            if val_acc > best_val:
                best_val, test_out = val_acc, out[view.test_idx]
    return model, best_val, test_out


def same_model(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def harness_overhead(data, split, spec, config, rounds: int) -> None:
    """Part 1: the suite's path against the bare loop, interleaved."""
    view = node_view(data, split, spec.input_layout)
    y_val = data.y[split.val]
    _, model_a, result = suite_train(data, split, spec, config, SEED)  # warm-up rounds
    model_b, best_val, _ = bare_train(view, y_val, spec, config, SEED)
    suite_s, view_s, bare_s = [], [], []
    for _ in range(rounds):
        wall, (v, _, _) = timed(suite_train, data, split, spec, config, SEED)
        suite_s.append(wall)
        view_s.append(v)
        bare_s.append(timed(bare_train, view, y_val, spec, config, SEED)[0])

    ratio = statistics.median(suite_s) / statistics.median(bare_s)
    no_view = statistics.median([s - v for s, v in zip(suite_s, view_s)]) / statistics.median(bare_s)
    paired = [s / b for s, b in zip(suite_s, bare_s)]
    print(f"\n1. Harness overhead: {TASK}/{METHOD}, seed {SEED}, {EPOCHS} epochs each, patience None, "
          f"{rounds} interleaved rounds after 1 warm-up each")
    print(f"   same trained weights a vs b: {same_model(model_a, model_b)}; best val acc "
          f"a {result.val_metric:.4f}, b {best_val:.4f}")
    print(f"   a) suite (node_view + build + optimizer + fit)  s: {spread(suite_s)}")
    print(f"      of which node_view                          ms: {spread(view_s, 1e3, '.1f')}")
    print(f"   b) bare loop (same view, prebuilt)              s: {spread(bare_s)}")
    print(f"   ratio median(a)/median(b)            = {ratio:.3f}  (target <= 1.05: {verdict(ratio <= 1.05)})")
    print(f"   ratio without node_view (a-view)/b   = {no_view:.3f}")
    print(f"   per-round ratios a_i/b_i             = {spread(paired)}  (the spread shows the noise)")


def end_to_end(data, split, spec, config) -> None:
    """Informational: the whole Runner.run, per epoch, against bare runs interleaved with it."""
    view = node_view(data, split, spec.input_layout)
    y_val = data.y[split.val]
    runs = plan([TASK], [METHOD], [SEED], overrides={"epochs": EPOCHS}, protocol={"patience": None})
    protocol = TASKS.get(TASK).protocol
    walls, bare_s, rows = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        Runner(results_dir=tmp, device="cpu", progress=False).run(runs)  # warm-up: starts the fork server
        for _ in range(E2E_ROUNDS):
            wall, out = timed(lambda: Runner(results_dir=tmp, device="cpu", progress=False).run(runs))
            walls.append(wall)
            rows.append(out[0])
            bare_s.append(timed(bare_train, view, y_val, spec, config, SEED)[0])
    status = {r["status"] for r in rows}
    errors = {r["error"] for r in rows if r["status"] != "ok"}
    epochs = statistics.median(r["epochs"] or 0 for r in rows)
    train_s = statistics.median(r["train_seconds"] or 0.0 for r in rows)
    wall, bare = statistics.median(walls), statistics.median(bare_s)
    print(f"\n   End-to-end (informational, not the 1.05 target): Runner(..., device='cpu').run(plan(['{TASK}'], "
          f"['{METHOD}'], [{SEED}], overrides={{'epochs': {EPOCHS}}}, protocol={{'patience': None}})),")
    print("   including Runner construction (git provenance), worker process start, payload transfer, training,")
    print(f"   {protocol.latency_warmup + protocol.latency_reps} inference passes for latency, evaluation and the "
          "Parquet write;")
    print(f"   {E2E_ROUNDS} rounds after 1 warm-up, each followed by a bare {EPOCHS}-epoch run; patience off, so "
          "both sides train every epoch (compared per epoch all the same).")
    print(f"   status {sorted(status)}, epochs {[r['epochs'] for r in rows]}, "
          f"test acc {[round(r['test_metric'] or 0.0, 4) for r in rows]}"
          + (f", errors {sorted(errors)}" if errors else ""))
    print(f"   end-to-end wall s: {spread(walls)}; in-worker train_seconds median {train_s:.3f}")
    print(f"   bare loop wall  s: {spread(bare_s)}")
    if epochs:
        per_e2e, per_train, per_bare = wall / epochs, train_s / epochs, bare / EPOCHS
        print(f"   per epoch ms: end-to-end {1e3 * per_e2e:.2f}, in-worker training {1e3 * per_train:.2f}, "
              f"bare {1e3 * per_bare:.2f}")
        print(f"   ratio end-to-end/bare per epoch = {per_e2e / per_bare:.3f}; "
              f"in-worker training/bare per epoch = {per_train / per_bare:.3f}; "
              f"fixed cost outside training {wall - train_s:.2f} s")


# --- 2. speed against PyG's reference ------------------------------------------------------------

class ReferenceGCN(torch.nn.Module):
    """PyG examples/gcn.py: dense input dropout, two cached GCNConv layers."""

    def __init__(self, in_channels: int, hidden_channels: int, out_channels: int):
        super().__init__()
        self.conv1 = GCNConv(in_channels, hidden_channels, cached=True, normalize=True)
        self.conv2 = GCNConv(hidden_channels, out_channels, cached=True, normalize=True)

    def forward(self, x, edge_index, edge_weight=None):
        x = F.dropout(x, p=0.5, training=self.training)
        x = self.conv1(x, edge_index, edge_weight).relu()
        x = F.dropout(x, p=0.5, training=self.training)
        return self.conv2(x, edge_index, edge_weight)


def masks(data, split) -> list[torch.Tensor]:
    """Boolean train/val/test masks, as Planetoid stores them."""
    out = []
    for idx in (split.train, split.val, split.test):
        mask = torch.zeros(data.num_nodes, dtype=torch.bool)
        mask[idx] = True
        out.append(mask)
    return out


def reference_train(data, split, seed: int) -> tuple[list[float], float]:
    """PyG's example loop; returns (per-epoch seconds of train() + test(), test acc at best val acc)."""
    torch.manual_seed(seed)
    x, edge_index, y = data.x, data.edge_index, data.y
    train_mask, val_mask, test_mask = masks(data, split)
    model = ReferenceGCN(x.size(1), 16, data.num_classes)
    optimizer = torch.optim.Adam([
        dict(params=model.conv1.parameters(), weight_decay=5e-4),
        dict(params=model.conv2.parameters(), weight_decay=0),
    ], lr=0.01)

    def train():
        model.train()
        optimizer.zero_grad()
        out = model(x, edge_index)
        loss = F.cross_entropy(out[train_mask], y[train_mask])
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    @torch.no_grad()
    def test():
        model.eval()
        pred = model(x, edge_index).argmax(dim=-1)
        return [int((pred[m] == y[m]).sum()) / int(m.sum()) for m in (train_mask, val_mask, test_mask)]

    best_val_acc = test_acc = 0
    times = []
    for _ in range(EPOCHS):
        start = time.perf_counter()
        train()
        _, val_acc, tmp_test_acc = test()
        times.append(time.perf_counter() - start)
        if val_acc > best_val_acc:
            best_val_acc, test_acc = val_acc, tmp_test_acc
    return times, test_acc


def against_reference(data, split, spec, config, seeds: int) -> None:
    evaluator = Evaluator(TASK)
    ref_times, ref_acc, suite_times, suite_acc = [], [], [], []
    for seed in range(seeds):
        times, acc = reference_train(data, split, seed)
        ref_times += times[WARMUP_EPOCHS:]
        ref_acc.append(acc)
        _, _, result = suite_train(data, split, spec, config, seed)
        suite_times += result.epoch_seconds[WARMUP_EPOCHS:]
        suite_acc.append(evaluator.eval({"y_true": data.y[split.test], "y_pred": result.test_output})["accuracy"])

    def line(name, times, accs):
        std = statistics.stdev(accs) if len(accs) > 1 else 0.0
        print(f"   {name:<40} epoch ms {spread(times, 1e3, '.2f')}; "
              f"test acc {statistics.mean(accs):.4f} +- {std:.4f}")

    ratio = statistics.median(ref_times) / statistics.median(suite_times)
    print(f"\n2. Speed against PyG examples/gcn.py: {TASK}, {EPOCHS} epochs, seeds 0..{seeds - 1} interleaved; "
          f"epoch = train step + eval pass;")
    print(f"   median over all epochs of all seeds, first {WARMUP_EPOCHS} epochs of each run excluded; "
          "test acc at the best val acc epoch")
    line("reference (dense x, dense dropout)", ref_times, ref_acc)
    line("suite GCN via suite.loop.fit (sparse CSR)", suite_times, suite_acc)
    print(f"   ratio reference_epoch_ms / suite_epoch_ms = {ratio:.2f}  (target >= 2: {verdict(ratio >= 2)}; "
          f"accuracy gap {statistics.mean(suite_acc) - statistics.mean(ref_acc):+.4f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="interleaved timed rounds for part 1 (default 7)")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..S-1 for part 2 (default 5)")
    args = parser.parse_args()
    if args.rounds < 1 or args.seeds < 1:
        parser.error("--rounds and --seeds must be at least 1")

    print_header()
    task, spec = TASKS.get(TASK), METHODS.get(METHOD)
    data = task.load()
    split = data.splits[task.split_id(SEED)]
    config = spec.resolve({"epochs": EPOCHS})
    harness_overhead(data, split, spec, config, args.rounds)
    end_to_end(data, split, spec, config)
    against_reference(data, split, spec, config, args.seeds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
