"""The worker: trains and measures one run in its own process.

The runner forks one worker per run from a fork server that has torch, PyG
and the baselines imported (forking a process that has already used OpenMP
threads deadlocks, so the server itself never computes). The worker receives
the method's label-free view and what the track's objective holds for
validation (see :mod:`suite.tracks`), never test labels; it returns the
model's test output and its measurements, and the runner's evaluator scores
that output.
"""

from __future__ import annotations

import io
import os
import random
import re
import resource
import threading
import time
import traceback

from pathlib import Path

import numpy as np
import torch

import suite.baselines  # noqa: F401  (so the fork server holds the baselines' imports)
from suite.budget import trainable_params
from suite.errors import ConfigError
from suite.loop import fit
from suite.measure import PeakMemory, median_p90, time_calls
from suite.metrics import get_metric
from suite.registry import METHODS
from suite.submission import load_source
from suite.tracks import get_track


def dumps(obj) -> bytes:
    buf = io.BytesIO()
    torch.save(obj, buf)
    return buf.getvalue()


def loads(data: bytes):
    return torch.load(io.BytesIO(data), weights_only=False)


def limit_memory(extra_bytes: int) -> None:
    """Cap this process's data segment (heap and anonymous mappings, where tensors live) at what it holds now plus
    ``extra_bytes``: an allocation past it fails with an error (a failed row) instead of exhausting the machine."""
    status = Path("/proc/self/status")
    if not status.exists() or not hasattr(resource, "RLIMIT_DATA"):  # not Linux: no limit (documented)
        return
    now = int(re.search(r"VmData:\s+(\d+) kB", status.read_text()).group(1)) * 1024
    cap = now + int(extra_bytes)
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "can't allocate memory" in str(exc) or "Cannot allocate memory" in str(exc)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _nonzero(model: torch.nn.Module) -> int:
    """Non-zero trainable weights as the model computes with them (a pruned model reports its masked count)."""
    if hasattr(model, "nonzero_weights"):
        return int(model.nonzero_weights())
    return int(sum((t != 0).sum().item() for t in model.parameters()))


def curves(history: list[dict]) -> dict:
    """The per-epoch history as columns: round, epoch, step, val (primary metric), val_loss, train."""
    keys = ("round", "epoch", "step", "val", "val_loss", "train")
    short = lambda v: float(f"{v:.6g}") if isinstance(v, float) else v  # noqa: E731  (6 digits: parts stay small)
    return {k: [short(h.get(k)) for h in history] for k in keys} if history else {}


def train_and_measure(p: dict) -> dict:
    """Run one (method, config, seed) on one view. ``p`` is the payload the runner sends."""
    load_source(p["method_source"])  # registers methods defined outside suite.baselines (probes, submissions)
    method = METHODS.get(p["method"])
    device = torch.device(p["device"])
    torch.set_num_threads(p["num_threads"])
    torch.use_deterministic_algorithms(True, warn_only=True)
    seed_everything(p["seed"])
    protocol, config = p["protocol"], p["config"]

    view = p["view"].to(device)
    held = {k: v.to(device) for k, v in p["held"].items()}
    memory = PeakMemory(device)
    memory.start()  # baseline: imports and data are loaded

    track = get_track(p["track"])
    objective_cls = track.objective
    context = {**p.get("context", {}), "sparsity": protocol.get("sparsity")}
    model = method.build(config, objective_cls.in_channels(view), objective_cls.out_channels(view), **context)
    model = model.to(device)
    budget = protocol.get("param_budget")
    if budget and (num_params := trainable_params(model)) > budget:  # the count the sweep sized it by
        raise ConfigError(f"method {method.name} has {num_params:,} trainable parameters, over the protocol's "
                          f"param_budget {budget:,}; give it a size_key so the runner can size it, or raise the budget")
    optimizer = method.optimizer(model, config)
    if protocol.get("batch_nodes") and not method.minibatch:
        raise ConfigError(f"method {method.name} cannot train on neighbour-sampled mini-batches, which this task's "
                          "protocol uses (batch_nodes); run a method registered with minibatch=True")
    objective = objective_cls(view, [get_metric(m) for m in p["metrics"]], config, protocol=protocol, **held)
    epochs = min(int(config.get("epochs", protocol["max_epochs"])), protocol["max_epochs"])

    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    start = time.perf_counter()
    result = fit(model, objective, optimizer, epochs=epochs, patience=protocol["patience"],
                 higher_is_better=p["higher_is_better"], max_steps=protocol.get("max_steps"),
                 stop_at=protocol.get("stop_at"), eval_every=protocol.get("eval_every"),
                 new_optimizer=lambda: method.optimizer(model, config))
    sync()
    train_seconds = time.perf_counter() - start
    measures = {"steps": result.steps, "nonzero_params": _nonzero(model)}
    if track.measures is not None:
        measures.update(track.measures(result, model))

    model.eval()
    latencies = time_calls(lambda: objective.inference(model), warmup=protocol["latency_warmup"],
                           reps=protocol["latency_reps"], device=device)
    lat_median, lat_p90 = median_p90(latencies)
    timed = result.epoch_seconds[protocol["warmup_epochs"]:] or result.epoch_seconds
    return {
        "status": "ok",
        "error": None,
        "val_metric": float(result.val_metric),
        "val_metrics": {k: float(v) for k, v in result.val_metrics.items()},
        "best_epoch": result.best_epoch,
        "epochs": result.epochs,
        "train_seconds": train_seconds,
        "epoch_seconds_median": float(np.median(timed)) if timed else None,
        "latency_ms_median": lat_median,
        "latency_ms_p90": lat_p90,
        "peak_memory_bytes": memory.peak_bytes(),
        "num_params": sum(t.numel() for t in model.parameters()),  # after training: lazily built layers count
        "measures": measures,
        "curves": curves(result.history),
        "num_threads": torch.get_num_threads(),
        "device": str(device),
        "test_output": result.test_output.detach().cpu(),
    }


def _exit_when_runner_goes(conn) -> None:
    """Watchdog: the runner sends nothing after the payload, so readability means it has gone."""
    try:
        conn.poll(None)
    except (OSError, EOFError):
        pass
    os._exit(3)


def main(conn) -> None:
    """Process entry point: receive a payload, send back the result (or the error as a failed result)."""
    limit = None
    try:
        payload = loads(conn.recv_bytes())
        threading.Thread(target=_exit_when_runner_goes, args=(conn,), daemon=True).start()
        limit = payload.get("memory_limit_bytes")
        if limit:
            limit_memory(limit)
        out = train_and_measure(payload)
    except BaseException as exc:  # noqa: BLE001  (every failure becomes a failed row)
        tb = traceback.extract_tb(exc.__traceback__)
        where = f" [{tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}]" if tb else ""
        first = (str(exc).splitlines() or [""])[0]
        error = f"{type(exc).__name__}: {first}{where}"
        if limit and _is_out_of_memory(exc):
            error = (f"run exceeded the memory limit of {limit / 2**30:.1f} GiB (--memory-limit or "
                     f"NETARENA_RUN_MEMORY_GB): {error}")
        out = {"status": "failed", "error": error[:2000]}
    conn.send_bytes(dumps(out))
    conn.close()
