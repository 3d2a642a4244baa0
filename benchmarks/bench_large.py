"""Time per epoch and peak memory against graph size, GCN and GraphSAGE, full batch and mini-batch.

Graphs: the large CSBM tasks' generator (``suite.datasets.csbm``, average
degree 10, 32 features, 5 classes, 10% training nodes) at 10k, 100k and 1M
nodes. For each size and method, in this process:

* full batch: one training epoch of ``NodeClassification`` (one forward,
  backward and optimiser step over the whole graph, loss on the training nodes);
* mini-batch: one training epoch under csbm-1m's protocol (batches of 1024
  training nodes, fan-out [10, 10], through ``suite.sampling.neighbor_loader``:
  the plain PyTorch sampler unless pyg-lib is installed), sampling included.

Both use the method's paper hyperparameters and optimiser (weight decay as its
paper places it) and ``suite.loop.train_epoch``, the loop's own training step.

Each point is measured in a fresh Python process. One warm-up, then
``--rounds`` timed repetitions; the median and the
spread (min-max) are printed. Peak memory is the RSS high-water mark above
the loaded graph and the fresh model (``suite.measure.PeakMemory``), over
the warm-up and the timed repetitions.
The fitted exponent is the slope of log(time) against log(edges) over
the sizes: 1.0 means cost linear in edges. Results (with machine info) are
written to ``benchmarks/results/large.json``.

    python benchmarks/bench_large.py [--sizes 10000,100000,1000000] [--rounds 3] [--threads N]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch

from suite.datasets.csbm import make_csbm
from suite.loop import train_epoch
from suite.measure import PeakMemory, cpu_model
from suite.metrics import get_metric
from suite.objective import NodeClassification
from suite.registry import METHODS
from suite.sampling import has_pyg_sampler
from suite.tasks.node import LARGE
from suite.tracks import get_track
from suite.view import input_features

BATCH_NODES, FAN_OUT = 1024, (10, 10)  # csbm-1m's protocol


def timed(fn, rounds: int) -> tuple[list[float], int]:
    # Memory from before the warm-up: freed blocks stay in the process, so a baseline taken after it
    # would hide everything the first epoch allocated.
    memory = PeakMemory(torch.device("cpu"))
    memory.start()
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times, memory.peak_bytes()


def bench(n: int, method: str, mode: str, rounds: int) -> dict:
    """One point, in this (fresh) process: RSS figures are only clean in a process that has measured nothing yet.

    The run is prepared and trained as the runner's worker does it: the node track's view, the method's own
    optimizer, the ``NodeClassification`` objective (its mini-batch path under ``batch_nodes``) and the
    loop's :func:`~suite.loop.train_epoch`; only the validation pass is left out of the timed epoch.
    """
    ds = make_csbm(num_nodes=n, **LARGE)
    spec = METHODS.get(method)
    config = spec.resolve()
    prepared = get_track("node").prepare(ds, 0, spec.input_layout, input_features(ds.x, spec.input_layout))
    protocol = {"batch_nodes": BATCH_NODES, "num_neighbors": list(FAN_OUT)} if mode == "mini-batch" else {}
    torch.manual_seed(0)
    model = spec.build(config, ds.x.size(1), ds.num_classes)
    optimizer = spec.optimizer(model, config)
    objective = NodeClassification(prepared.view, [get_metric("accuracy")], config, protocol=protocol,
                                   **prepared.held)
    times, peak = timed(lambda: train_epoch(model, objective, optimizer), rounds)
    # How much graph one training step touches: a sampled batch's nodes, or the whole graph.
    sizes = [b.num_nodes for b, _ in zip(objective.train_batches(), range(5))]
    return {"nodes": n, "edges": int(ds.edge_index.size(1)), "method": method, "mode": mode,
            "epoch_s_median": statistics.median(times), "epoch_s_min": min(times),
            "epoch_s_max": max(times), "peak_mib": peak / 2**20, "rounds": rounds,
            "nodes_per_step": float(np.mean(sizes))}


def point(n: int, method: str, mode: str, rounds: int, threads: int) -> dict:
    """Measure one point in a fresh interpreter (freed memory stays in a process and would hide later peaks)."""
    out = subprocess.run([sys.executable, __file__, "--one", f"{n},{method},{mode}", "--rounds", str(rounds),
                          "--threads", str(threads)], check=True, capture_output=True, text=True)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{method:9s} {mode:10s} {n:>9,d} nodes {r['edges']:>11,d} edges  "
          f"{r['epoch_s_median']:8.3f} s/epoch ({r['epoch_s_min']:.3f}-{r['epoch_s_max']:.3f})  "
          f"{r['peak_mib']:8.0f} MiB  {r['nodes_per_step']:>11,.0f} nodes per step", flush=True)
    return r


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--methods", default="gcn,graphsage")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "large.json"))
    ap.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure one point, print JSON
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    if args.one:
        n, method, mode = args.one.split(",")
        print(json.dumps(bench(int(n), method, mode, args.rounds)))
        return
    print(f"torch {torch.__version__}, {args.threads} threads, {cpu_model()}; sampler: "
          f"{'pyg-lib' if has_pyg_sampler() else 'suite.sampling (plain PyTorch)'}")
    rows = [point(n, m, mode, args.rounds, args.threads) for m in args.methods.split(",")
            for n in map(int, args.sizes.split(",")) for mode in ("full", "mini-batch")]

    print("\nfitted exponent of time per epoch against edges (1.0 = linear):")
    fits = {}
    for method in args.methods.split(","):
        for mode in ("full", "mini-batch"):
            pts = [(r["edges"], r["epoch_s_median"], r["peak_mib"]) for r in rows
                   if r["method"] == method and r["mode"] == mode]
            if len(pts) < 2:
                continue
            e, t, m = (np.array(v, dtype=float) for v in zip(*pts))
            slope_t = float(np.polyfit(np.log(e), np.log(t), 1)[0])
            slope_m = float(np.polyfit(np.log(e), np.log(m), 1)[0]) if (m > 0).all() else float("nan")
            fits[f"{method}/{mode}"] = {"time_exponent": slope_t, "memory_exponent": slope_m}
            print(f"  {method:9s} {mode:10s} time ~ edges^{slope_t:.2f}   peak memory ~ edges^{slope_m:.2f}")
    path = Path(args.out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"rows": rows, "fits": fits, "machine": {
        "cpu": cpu_model(), "threads": args.threads, "torch": torch.__version__, "python": platform.python_version(),
        "sampler": "pyg-lib" if has_pyg_sampler() else "suite.sampling"}}, indent=1))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
